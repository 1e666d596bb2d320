import Foundation
import MoatJSON
import Synchronization

/// Protected header segments that already passed ``JWSVerifier`` with one key
/// set, each with its parsed header and the key its `kid` selected.
///
/// An identity provider signs its tokens with a few keys, so its tokens carry
/// a few distinct header segments. A token whose header segment is here skips
/// the base64url decoding, the JSON indexing and the key lookup of its header.
/// The header checks and the key's algorithm check still run on every token,
/// because they depend on the verifier's allow-list and pinned certificate.
/// Only headers of tokens whose signature verified are added, so forged tokens
/// cannot fill or evict the entries.
final class VerifiedHeaderCache: Sendable {
    struct Entry: Sendable {
        /// The exact base64url header segment of the token.
        let segment: [UInt8]
        let header: HeaderPositions
        let key: JSONWebKey
    }

    /// Entries kept; the oldest is replaced first. Enough for the keys of a
    /// rotation overlap times a few `typ` values.
    static let capacity = 8

    private let state = Mutex(State())

    private struct State {
        var entries: [Entry] = []
        var nextReplaced = 0
    }

    /// Number of entries, for tests.
    var count: Int { state.withLock { $0.entries.count } }

    /// Returns the entry whose segment equals `segment` byte for byte, or nil.
    func entry(for segment: UnsafeBufferPointer<UInt8>) -> Entry? {
        state.withLock { state in
            state.entries.first { Self.equals($0.segment, segment) }
        }
    }

    /// Adds the header of a token whose signature verified with `key`.
    func add(segment: UnsafeBufferPointer<UInt8>, header: HeaderPositions, key: JSONWebKey) {
        state.withLock { state in
            // Two threads that missed on the same segment both add it, so the second finds it here.
            guard !state.entries.contains(where: { Self.equals($0.segment, segment) }) else { return }
            let entry = Entry(segment: Array(segment), header: header, key: key)
            if state.entries.count < Self.capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.nextReplaced] = entry
                state.nextReplaced = (state.nextReplaced + 1) % Self.capacity
            }
        }
    }

    private static func equals(_ stored: [UInt8], _ segment: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == segment.count else { return false }
        return stored.withUnsafeBufferPointer { stored in
            guard let storedBase = stored.baseAddress, let segmentBase = segment.baseAddress else { return stored.isEmpty }
            return memcmp(storedBase, segmentBase, segment.count) == 0
        }
    }
}
