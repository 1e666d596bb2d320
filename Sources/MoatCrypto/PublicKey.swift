import COpenSSL
import Foundation

/// A public key for signature verification, held by OpenSSL.
///
/// Every initializer runs ``KeyPolicy`` checks, so an instance is always an
/// RSA key of 2048 to 16384 bits with an odd exponent of at least 65537 and
/// no ROCA fingerprint, a valid P-256 or P-384 point, or an Ed25519 key.
public final class PublicKey: @unchecked Sendable, Equatable {
    // @unchecked: the EVP_PKEY is never modified after init, and OpenSSL 3 allows concurrent verification with it.
    let key: OpenSSLKey

    /// The key's family and size.
    public let kind: KeyKind

    init(validating key: OpenSSLKey) throws(CryptoError) {
        self.kind = try KeyPolicy.validate(key)
        self.key = key
    }

    /// Imports a PEM `PUBLIC KEY` (X.509 SubjectPublicKeyInfo).
    ///
    /// - Throws: ``CryptoError/Code/invalidPEM`` when the text holds no SPKI
    ///   key, or the ``KeyPolicy`` error for a rejected key.
    public convenience init(pem: String) throws {
        let pointer = try MemoryBIO.withReadable(pem) { bio throws(CryptoError) in
            guard let pointer = PEM_read_bio_PUBKEY(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(.invalidPEM, "text is not a PEM PUBLIC KEY (SubjectPublicKeyInfo)")
            }
            return pointer
        }
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// Imports a DER-encoded X.509 SubjectPublicKeyInfo.
    public convenience init(derSubjectPublicKeyInfo der: some DataProtocol) throws {
        let bytes = [UInt8](der)
        let pointer = bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            // Trailing bytes after the SPKI are rejected, not ignored.
            guard let key, cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let pointer else {
            throw CryptoError.openSSL(.invalidKey, "bytes are not a DER SubjectPublicKeyInfo")
        }
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// Writes the key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    public func pemEncoded() -> String {
        guard let text = MemoryBIO.collectText({ PEM_write_bio_PUBKEY($0, key.pointer) }) else {
            preconditionFailure("PEM_write_bio_PUBKEY failed for a valid key: \(OpenSSLErrorQueue.drain())")
        }
        return text
    }

    /// Returns the DER SubjectPublicKeyInfo encoding.
    public func derSubjectPublicKeyInfo() -> Data {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(key.pointer, &output)
        guard length > 0, let output else {
            preconditionFailure("i2d_PUBKEY failed for a valid key: \(OpenSSLErrorQueue.drain())")
        }
        defer { CRYPTO_free(output, #fileID, #line) }
        return Data(bytes: output, count: Int(length))
    }

    /// Keys are equal when OpenSSL's `EVP_PKEY_eq` finds the same public components.
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        EVP_PKEY_eq(lhs.key.pointer, rhs.key.pointer) == 1
    }
}
