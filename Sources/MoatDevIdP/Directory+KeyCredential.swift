import Foundation
import MoatConfig
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

extension Directory {
    /// A public key an application signs client assertions with (RFC 7523
    /// §2.2), registered as an X.509 certificate, a PEM public key or a JWK.
    ///
    /// An assertion names its key the way Entra ID expects: a certificate by
    /// its SHA-256 thumbprint in `x5t#S256` or its SHA-1 thumbprint in `x5t`,
    /// a bare key by `kid`.
    public struct KeyCredential: Sendable {
        /// The `kid` that names a bare key; nil for a certificate.
        public var keyID: String?
        public var publicKey: PublicKey
        /// The registered certificate, whose validity period also bounds the credential.
        public var certificate: X509Certificate?

        public init(keyID: String?, publicKey: PublicKey, certificate: X509Certificate? = nil) {
            self.keyID = keyID
            self.publicKey = publicKey
            self.certificate = certificate
        }

        /// Checks whether a client assertion's header names this credential.
        func matches(header: JSONObject) -> Bool {
            if let certificate {
                if case .string(let sha256)? = header["x5t#S256"] {
                    return Self.thumbprint(sha256) == certificate.sha256Thumbprint
                }
                if case .string(let sha1)? = header["x5t"] {
                    return Self.thumbprint(sha1) == certificate.sha1Thumbprint
                }
                return false
            }
            guard let keyID, case .string(let kid)? = header["kid"] else { return false }
            return kid == keyID
        }

        /// Decodes a thumbprint header value. MSAL Python pads it with `=`,
        /// unlike RFC 7515 §2; the padding is dropped, because the value only
        /// selects a registered key and the signature is still checked with it.
        private static func thumbprint(_ value: String) -> Data? {
            var trimmed = Substring(value)
            while trimmed.hasSuffix("=") { trimmed = trimmed.dropLast() }
            return try? Base64URL.decode(trimmed)
        }
    }
}

extension Directory.KeyCredential {
    /// Reads one `[[apps.credentials]]` entry: exactly one of `certificate`
    /// (PEM), `public_key` (PEM SubjectPublicKeyInfo, needs `key_id`) or `jwk`
    /// (JSON text of a public JWK; `key_id` overrides its `kid`).
    static func parse(_ entry: TOMLReader) throws -> Directory.KeyCredential {
        try entry.rejectUnknownKeys(["certificate", "public_key", "jwk", "key_id"])
        let certificate = try entry.optionalString("certificate")
        let publicKeyPEM = try entry.optionalString("public_key")
        let jwkText = try entry.optionalString("jwk")
        let keyID = try entry.optionalString("key_id")
        guard [certificate, publicKeyPEM, jwkText].compactMap({ $0 }).count == 1 else {
            throw DirectoryError("\(entry.path): set exactly one of certificate, public_key or jwk")
        }
        do {
            if let certificate {
                let parsed = try X509Certificate(pem: certificate)
                return Directory.KeyCredential(keyID: nil, publicKey: parsed.publicKey, certificate: parsed)
            }
            if let publicKeyPEM {
                guard let keyID else { throw DirectoryError("\(entry.path): a public_key needs a key_id, which assertions name in kid") }
                return Directory.KeyCredential(keyID: keyID, publicKey: try PublicKey(pem: publicKeyPEM))
            }
            let json = try JSONValue.parse(Data((jwkText ?? "").utf8))
            guard case .object(let object) = json else { throw DirectoryError("\(entry.path).jwk is not a JSON object") }
            let key = try JSONWebKey(json: object)
            guard let kid = keyID ?? key.keyID else {
                throw DirectoryError("\(entry.path): the jwk has no kid; add one or set key_id")
            }
            return Directory.KeyCredential(keyID: kid, publicKey: key.publicKey)
        } catch let error as DirectoryError {
            throw error
        } catch {
            throw DirectoryError("\(entry.path): the credential is not usable: \(error)")
        }
    }
}
