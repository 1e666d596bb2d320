import COpenSSL
import Foundation

/// Random bytes from OpenSSL's CSPRNG (`RAND_bytes`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// Traps if OpenSSL cannot produce random bytes, because every caller
    /// (keys, nonces, tokens) would otherwise continue with predictable data.
    public static func bytes(count: Int) -> Data {
        precondition(count >= 0, "random byte count must not be negative")
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return Data() }
        let status = RAND_bytes(&output, Int32(count))
        precondition(status == 1, "RAND_bytes failed: \(OpenSSLErrorQueue.drain())")
        return Data(output)
    }

    /// Returns a token of `byteCount` random bytes (default 32, that is
    /// 256 bits), encoded as unpadded base64url (RFC 4648 §5).
    public static func token(byteCount: Int = 32) -> String {
        bytes(count: byteCount).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Comparison and erasure of secrets without data-dependent timing.
public enum ConstantTime {
    /// Compares two byte strings in time that depends only on their length.
    ///
    /// Lengths are compared first and may leak; the contents are compared with
    /// OpenSSL's `CRYPTO_memcmp`. Use for MACs, tokens and other secrets.
    public static func equals(_ a: some DataProtocol, _ b: some DataProtocol) -> Bool {
        let left = [UInt8](a)
        let right = [UInt8](b)
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return CRYPTO_memcmp(left, right, left.count) == 0
    }

    /// Compares the UTF-8 bytes of two strings in constant time, as the byte overload does.
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }

    /// Overwrites the bytes of `data` with zeros through `OPENSSL_cleanse`,
    /// which the compiler cannot remove as a dead store, then empties it.
    ///
    /// Copies of the data made earlier (for example by copy-on-write) are not wiped.
    public static func wipe(_ data: inout Data) {
        let count = data.count
        data.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { OPENSSL_cleanse(base, count) }
        }
        data = Data()
    }
}
