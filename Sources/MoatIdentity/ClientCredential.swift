import Foundation
import MoatCrypto
import MoatJOSE
import MoatJSON

/// How a confidential client proves its identity at a token endpoint.
public enum ClientCredential: Sendable {
    /// A client secret, sent with HTTP Basic authentication (RFC 6749 §2.3.1).
    case secret(String)
    /// A private key whose public half is registered with the provider (as a
    /// public key or JWK). The client signs an assertion (RFC 7523 §2.2,
    /// `private_key_jwt` in OpenID Connect Core §9) whose header names the key by `kid`.
    case privateKey(PrivateKey, keyID: String, algorithm: JWSAlgorithm)
    /// A certificate credential as Microsoft Entra ID registers them: an
    /// assertion signed with the certificate's key, whose header carries the
    /// certificate's SHA-256 thumbprint in `x5t#S256` and, for RS256, the
    /// SHA-1 thumbprint in `x5t` that older Entra ID endpoints look for.
    /// Entra ID recommends PS256 with `x5t#S256`.
    case certificate(PrivateKey, X509Certificate, algorithm: JWSAlgorithm)
}

/// A signed client assertion for one token request (RFC 7523 §3).
enum ClientAssertion {
    /// The `client_assertion_type` value for JWT assertions (RFC 7523 §2.2).
    static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Lifetime of an assertion in seconds. Ten minutes, as MSAL uses.
    static let lifetime: TimeInterval = 600

    /// Signs an assertion: `iss` and `sub` are the client id, `aud` the token
    /// endpoint, `jti` a fresh random value, `nbf`/`iat` now and `exp` ten minutes later.
    static func make(credential: ClientCredential, clientID: String, audience: String, now: Date) throws -> String? {
        let signer: JWTSigner
        var header: JSONObject = [:]
        switch credential {
        case .secret:
            return nil
        case .privateKey(let key, let keyID, let algorithm):
            signer = try JWTSigner(privateKey: key, algorithm: algorithm, keyID: keyID)
        case .certificate(let key, let certificate, let algorithm):
            guard certificate.publicKey == key.publicKey else {
                throw TokenRejection(.tokenRequestFailed, "the certificate's public key does not belong to the credential's private key")
            }
            let sha256 = Base64URL.encode(certificate.sha256Thumbprint)
            signer = try JWTSigner(privateKey: key, algorithm: algorithm, keyID: sha256)
            header["x5t#S256"] = .string(sha256)
            if algorithm == .rs256 {
                header["x5t"] = .string(Base64URL.encode(certificate.sha1Thumbprint))
            }
        }
        let issuedAt = Int64(now.timeIntervalSince1970)
        let claims: JSONObject = [
            "aud": .string(audience),
            "iss": .string(clientID),
            "sub": .string(clientID),
            "jti": .string(SecureRandom.token(byteCount: 16)),
            "nbf": .integer(issuedAt),
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + Int64(lifetime)),
        ]
        return try signer.sign(claims: claims, additionalHeader: header)
    }
}
