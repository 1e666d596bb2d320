import Foundation
import MoatCore
import MoatCrypto

/// Remembers what a sealed session cookie opened to, so that repeated
/// requests with the same cookie skip base64 decoding, AES-GCM and parsing.
///
/// An entry is keyed by the SHA-256 of the sealed value (all pieces joined),
/// so only a cookie with exactly the same bytes finds it. Only cookies that
/// opened are stored. The cache replaces the decryption alone: the gateway
/// still checks the idle and absolute timeouts and the revocation list on
/// every request, against the session's own times. An entry is used for at
/// most ``maxAge`` seconds after it was stored. The cache keeps at most
/// ``capacity`` entries and drops the expired ones, or all, when full.
final class OpenedSessionCache: Sendable {
    /// An opened session and the caller derived from it.
    struct Entry {
        var session: GatewaySession
        var caller: GatewayCaller
        var storedAt: Date
    }

    /// Seconds an entry is used after it was stored. Default 300.
    let maxAge: TimeInterval
    let capacity: Int
    private let entries = LockedValue([Data: Entry]())

    /// - Parameters:
    ///   - maxAge: seconds an entry is used; 0 disables the cache.
    ///   - capacity: entries kept; default 1000, because an entry contains the
    ///     session's tokens, a few kilobytes.
    init(maxAge: TimeInterval = 300, capacity: Int = 1000) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// Returns the key for a sealed cookie value: its SHA-256.
    static func key(sealedValue: String) -> Data {
        Digest.sha256(Array(sealedValue.utf8))
    }

    /// Returns the entry stored for `key` when it is younger than ``maxAge``.
    func entry(for key: Data, now: Date) -> Entry? {
        guard maxAge > 0 else { return nil }
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard isFresh(entry, now: now) else {
                entries[key] = nil
                return nil
            }
            return entry
        }
    }

    /// Stores a session that was just opened from the sealed value behind `key`.
    func store(_ session: GatewaySession, caller: GatewayCaller, for key: Data, now: Date) {
        guard maxAge > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { isFresh($0.value, now: now) }
                if entries.count >= capacity {
                    entries.removeAll()
                }
            }
            entries[key] = Entry(session: session, caller: caller, storedAt: now)
        }
    }

    private func isFresh(_ entry: Entry, now: Date) -> Bool {
        let age = now.timeIntervalSince(entry.storedAt)
        return age >= 0 && age < maxAge
    }
}
