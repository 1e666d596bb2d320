import COpenSSL
import Foundation

/// A private signing key, held by OpenSSL.
///
/// Keys pass the same ``KeyPolicy`` checks as ``PublicKey``: RSA of 2048 to
/// 16384 bits with an odd exponent of at least 65537, EC on P-256 or P-384, or Ed25519.
public final class PrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never modified after init, and OpenSSL 3 allows concurrent signing with it.
    let key: OpenSSLKey

    /// The key's family and size.
    public let kind: KeyKind

    /// The matching public key.
    public let publicKey: PublicKey

    private init(validating key: OpenSSLKey) throws(CryptoError) {
        self.kind = try KeyPolicy.validate(key)
        self.key = key
        self.publicKey = try Self.extractPublicKey(key)
    }

    /// Imports a PEM private key: PKCS#8 (`PRIVATE KEY`) or the traditional
    /// `RSA PRIVATE KEY` / `EC PRIVATE KEY` forms. Encrypted PEM is rejected.
    public convenience init(pem: String) throws {
        let pointer = try MemoryBIO.withReadable(pem) { bio throws(CryptoError) in
            guard let pointer = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(.invalidPEM, "text is not an unencrypted PEM private key")
            }
            return pointer
        }
        try self.init(validating: OpenSSLKey(taking: pointer))
    }

    /// Generates an RSA key with public exponent 65537.
    ///
    /// - Parameter bits: modulus size, 2048 (default) to 16384.
    public static func generateRSA(bits: Int = 2048) throws -> PrivateKey {
        guard (KeyPolicy.minimumRSABits...KeyPolicy.maximumRSABits).contains(bits) else {
            throw CryptoError(code: .unsupportedKey, reason: "RSA key size \(bits) is outside 2048...16384 bits")
        }
        return try generate(type: "RSA") { context in EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 }
    }

    /// Generates an EC key on `curve`.
    public static func generateEC(curve: ECCurve) throws -> PrivateKey {
        try generate(type: "EC") { context in EVP_PKEY_CTX_set_group_name(context, curve.openSSLGroupName) == 1 }
    }

    /// Generates an Ed25519 key.
    public static func generateEd25519() throws -> PrivateKey {
        try generate(type: "ED25519") { _ in true }
    }

    /// Writes the key as unencrypted PKCS#8 PEM (`PRIVATE KEY`). Handle the result as a secret.
    public func pemEncoded() -> String {
        let text = MemoryBIO.collectText { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
        }
        guard let text else {
            preconditionFailure("PEM_write_bio_PKCS8PrivateKey failed for a valid key: \(OpenSSLErrorQueue.drain())")
        }
        return text
    }

    /// Signs `message` with `algorithm`, which must fit the key.
    ///
    /// ECDSA signatures are returned raw (IEEE P1363 r‖s), as JOSE uses them.
    /// - Throws: ``CryptoError/Code/algorithmMismatch`` when the algorithm does not fit the key.
    public func sign(_ message: some DataProtocol, algorithm: SignatureAlgorithm) throws -> Data {
        guard algorithm.fits(kind) else {
            throw CryptoError(code: .algorithmMismatch, reason: "\(algorithm) cannot sign with a key of kind \(kind)")
        }
        let input = [UInt8](message)
        let signature = try SignatureContext.with(.sign, algorithm: algorithm, key: key) { context throws(CryptoError) in
            try input.withUnsafeBufferPointer { messageBuffer throws(CryptoError) in
                var length = 0
                guard EVP_DigestSign(context, nil, &length, messageBuffer.baseAddress, messageBuffer.count) == 1 else {
                    throw CryptoError.openSSL(.operationFailed, "could not size the \(algorithm) signature")
                }
                var output = [UInt8](repeating: 0, count: length)
                guard EVP_DigestSign(context, &output, &length, messageBuffer.baseAddress, messageBuffer.count) == 1 else {
                    throw CryptoError.openSSL(.operationFailed, "\(algorithm) signing failed")
                }
                return Array(output.prefix(length))
            }
        }
        guard case .ec(let curve) = kind else { return Data(signature) }
        guard let raw = ECDSASignature.rawFromDER(signature, curve: curve) else {
            throw CryptoError(code: .operationFailed, reason: "OpenSSL produced an ECDSA signature that is not strict DER")
        }
        return Data(raw)
    }

    private static func generate(type: String, _ configure: (OpaquePointer) -> Bool) throws(CryptoError) -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw CryptoError.openSSL(.operationFailed, "could not create a \(type) key generation context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pointer: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(context) == 1, configure(context), EVP_PKEY_generate(context, &pointer) == 1, let pointer
        else {
            throw CryptoError.openSSL(.operationFailed, "\(type) key generation failed")
        }
        return try PrivateKey(validating: OpenSSLKey(taking: pointer))
    }

    /// Copies the public half through its SPKI encoding, so the result contains no private material.
    private static func extractPublicKey(_ key: OpenSSLKey) throws(CryptoError) -> PublicKey {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(key.pointer, &output)
        guard length > 0, let output else {
            throw CryptoError.openSSL(.operationFailed, "could not encode the public key")
        }
        defer { CRYPTO_free(output, #fileID, #line) }
        var cursor: UnsafePointer<UInt8>? = UnsafePointer(output)
        guard let publicPointer = d2i_PUBKEY(nil, &cursor, Int(length)) else {
            throw CryptoError.openSSL(.operationFailed, "could not decode the public key")
        }
        return try PublicKey(validating: OpenSSLKey(taking: publicPointer))
    }
}
