import Foundation
import MoatCrypto
import MoatJSON

/// A public verification key with exactly one permitted algorithm (RFC 7517).
///
/// The key, not a token header, decides the algorithm: a token whose `alg`
/// differs from ``algorithm`` is rejected before its signature is checked.
public struct JSONWebKey: Sendable {
    public let keyID: String?
    public let algorithm: JWSAlgorithm
    public let publicKey: PublicKey
    /// Reused OpenSSL contexts for RS256 and PS256 keys; nil for other algorithms.
    private let rsaPool: RSAVerificationPool?

    /// Pairs a key with its algorithm.
    ///
    /// - Throws: ``JOSEError/Code/keyAlgorithmMismatch`` when `algorithm`
    ///   cannot be used with the key (for example ES384 with a P-256 key).
    public init(publicKey: PublicKey, keyID: String?, algorithm: JWSAlgorithm) throws(JOSEError) {
        guard algorithm.fits(publicKey.kind) else {
            throw JOSEError(
                code: .keyAlgorithmMismatch,
                reason: "algorithm \(algorithm.rawValue) does not fit a key of kind \(publicKey.kind)")
        }
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.rsaPool = RSAVerificationPool(publicKey: publicKey, algorithm: algorithm)
    }

    /// Checks a signature with this key's own algorithm, through the pooled
    /// RSA contexts where available and otherwise through ``PublicKey``.
    ///
    /// - Parameter message: the exact signing input; for a JWS, the received `header.payload` bytes.
    public func isValidSignature(_ signature: Data, for message: Data) -> Bool {
        if let rsaPool { return rsaPool.isValidSignature(signature, for: message) }
        return publicKey.isValidSignature(signature, for: message, algorithm: algorithm.signatureAlgorithm)
    }

    /// Checks a signature like ``isValidSignature(_:for:)-(Data,Data)``, reading
    /// both from memory the caller owns. Only keys without an RSA pool copy them.
    func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        if let rsaPool { return rsaPool.isValidSignature(signature, for: message) }
        return publicKey.isValidSignature(Data(signature), for: Data(message), algorithm: algorithm.signatureAlgorithm)
    }

    /// Writes the public JWK: `kty`, `kid` (when set), `use: sig`, `alg`, and
    /// `n`/`e`, `crv`/`x`/`y` or `crv`/`x`. No private member is ever written.
    public func jsonObject() -> JSONObject {
        var object = JSONObject()
        switch publicKey.kind {
        case .rsa: object["kty"] = "RSA"
        case .ec: object["kty"] = "EC"
        case .ed25519: object["kty"] = "OKP"
        }
        if let keyID { object["kid"] = .string(keyID) }
        object["use"] = "sig"
        object["alg"] = .string(algorithm.rawValue)
        if let (modulus, exponent) = publicKey.rsaComponents {
            object["n"] = .string(Base64URL.encode(modulus))
            object["e"] = .string(Base64URL.encode(exponent))
        }
        if case .ec(let curve) = publicKey.kind, let (x, y) = publicKey.ecCoordinates {
            object["crv"] = .string(curve.joseName)
            object["x"] = .string(Base64URL.encode(x))
            object["y"] = .string(Base64URL.encode(y))
        }
        if let raw = publicKey.ed25519Raw {
            object["crv"] = "Ed25519"
            object["x"] = .string(Base64URL.encode(raw))
        }
        return object
    }
}
