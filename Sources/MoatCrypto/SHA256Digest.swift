import Foundation
import MoatCore

/// A SHA-256 digest stored inline as four words, for hash-table keys.
///
/// A `Data` key allocates its bytes and hashes them through `Hasher.combine(bytes:)`.
/// The gateway derives a key like this for every request, so this type keeps
/// it on the stack.
public struct SHA256Digest: Hashable, Sendable {
    private let word0: UInt64
    private let word1: UInt64
    private let word2: UInt64
    private let word3: UInt64

    /// Hashes the bytes in `buffer`, with the rules of ``Digest/sha256(bytes:)``.
    public init(hashing buffer: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { output in
            Digest.sha256(bytes: buffer, into: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        (word0, word1, word2, word3) = words
    }

    /// Hashes the UTF-8 bytes of `text`.
    public init(hashing text: String) {
        self = text.withUTF8Buffer { SHA256Digest(hashing: UnsafeRawBufferPointer($0)) }
    }

    /// Reads a digest from its 32 bytes, as ``bytes`` returns them. Any other length gives nil.
    public init?(bytes: Data) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { output in
            output.copyBytes(from: bytes)
        }
        (word0, word1, word2, word3) = words
    }

    /// The 32 digest bytes.
    public var bytes: Data {
        withUnsafeBytes(of: (word0, word1, word2, word3)) { Data($0) }
    }
}
