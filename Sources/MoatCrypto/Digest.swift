import COpenSSL
import Foundation

/// SHA-2 digests through OpenSSL's `EVP_Digest`.
public enum Digest {
    /// Returns the 32-byte SHA-256 digest of `data`.
    public static func sha256(_ data: some DataProtocol) -> Data {
        if let digest = data.withContiguousStorageIfAvailable({ sha256(bytes: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return digest(data, EVP_sha256())
    }

    /// Returns the 32-byte SHA-256 digest of the bytes in `buffer`, without copying them.
    ///
    /// Outside FIPS mode this uses OpenSSL's low-level SHA-256 functions,
    /// which run the same assembly as EVP without its provider dispatch and
    /// context allocation. Per-request cache keys are hashed this way.
    public static func sha256(bytes buffer: UnsafeRawBufferPointer) -> Data {
        var output = Data(count: 32)
        output.withUnsafeMutableBytes { sha256(bytes: buffer, into: $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        return output
    }

    /// Writes the SHA-256 digest of the bytes in `buffer` to the 32 bytes at `digest`.
    static func sha256(bytes buffer: UnsafeRawBufferPointer, into digest: UnsafeMutablePointer<UInt8>) {
        let status: Int32
        if OpenSSLProcess.isFIPSEnabled {
            var length: UInt32 = 0
            status = EVP_Digest(buffer.baseAddress, buffer.count, digest, &length, EVP_sha256(), nil)
        } else {
            status = moat_sha256_direct(buffer.baseAddress, buffer.count, digest)
        }
        // A built-in SHA-2 digest only fails when memory allocation fails.
        precondition(status == 1, "SHA-256 failed: \(OpenSSLErrorQueue.drain())")
    }

    /// Returns the 48-byte SHA-384 digest of `data`.
    public static func sha384(_ data: some DataProtocol) -> Data { digest(data, EVP_sha384()) }

    /// Returns the 64-byte SHA-512 digest of `data`.
    public static func sha512(_ data: some DataProtocol) -> Data { digest(data, EVP_sha512()) }

    private static func digest(_ data: some DataProtocol, _ md: OpaquePointer?) -> Data {
        let input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = input.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &output, &length, md, nil)
        }
        // A built-in SHA-2 digest only fails when memory allocation fails.
        precondition(status == 1, "EVP_Digest failed: \(OpenSSLErrorQueue.drain())")
        return Data(output.prefix(Int(length)))
    }
}

/// HMAC (RFC 2104) through OpenSSL.
public enum HMAC {
    /// Returns the 32-byte HMAC-SHA-256 of `message` under `key`. Any key length is accepted, including empty.
    public static func sha256(key: some DataProtocol, message: some DataProtocol) -> Data {
        // HMAC() treats a NULL key as "reuse the previous key", so an empty key
        // still needs a valid pointer; the extra byte is never read.
        let keyBytes = [UInt8](key) + [0]
        let keyLength = Int32(keyBytes.count - 1)
        let input = [UInt8](message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            input.withUnsafeBytes { messageBuffer in
                COpenSSL.HMAC(
                    EVP_sha256(), keyBuffer.baseAddress, keyLength,
                    messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBuffer.count,
                    &output, &length)
            }
        }
        precondition(result != nil, "HMAC failed: \(OpenSSLErrorQueue.drain())")
        return Data(output.prefix(Int(length)))
    }
}
