import MoatCrypto

/// The JWS `alg` values Moat implements (RFC 7518 §3.1, RFC 8037 §3.1).
///
/// Raw values are compared case-sensitively, as RFC 7515 §4.1.1 requires.
/// `none` and the symmetric `HS*` algorithms are deliberately absent: a key
/// set of public keys must never be usable as an HMAC secret.
public enum JWSAlgorithm: String, Sendable, CaseIterable, Hashable {
    case rs256 = "RS256"
    case ps256 = "PS256"
    case es256 = "ES256"
    case es384 = "ES384"
    case edDSA = "EdDSA"

    /// The signature scheme in the crypto layer.
    public var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .rs256: .rsaPKCS1v15SHA256
        case .ps256: .rsaPSSSHA256
        case .es256: .ecdsaP256SHA256
        case .es384: .ecdsaP384SHA384
        case .edDSA: .ed25519
        }
    }

    /// True when a key of `kind` can verify this algorithm: RSA for RS256 and
    /// PS256, P-256 for ES256, P-384 for ES384, Ed25519 for EdDSA.
    public func fits(_ kind: KeyKind) -> Bool {
        signatureAlgorithm.fits(kind)
    }
}
