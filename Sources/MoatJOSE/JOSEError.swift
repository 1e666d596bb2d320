/// A rejected token, key or key set: a stable machine ``code`` and a human
/// ``reason`` naming the bad value. Errors compare equal by code only.
public struct JOSEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set of failure kinds, compared by their snake_case name, which
    /// is safe to put in audit records and metrics.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        // Structure and encoding.
        /// Not exactly three dot-separated segments, or an empty header or signature segment.
        public static let malformedToken = Code("malformed_token")
        /// The token is longer than the configured maximum.
        public static let tokenTooLarge = Code("token_too_large")
        /// A segment or key member is not strict unpadded base64url (RFC 7515 §2).
        public static let invalidBase64URL = Code("invalid_base64url")
        /// Header, payload or key set is not strict JSON, or not a JSON object.
        public static let invalidJSON = Code("invalid_json")
        /// A JSON object names the same member twice.
        public static let duplicateMember = Code("duplicate_member")

        // Protected header.
        /// A header parameter has the wrong JSON type (for example a numeric `kid`).
        public static let invalidHeader = Code("invalid_header")
        /// `alg` is missing, `none`, symmetric (`HS*`) or otherwise not one Moat implements.
        public static let unsupportedAlgorithm = Code("unsupported_algorithm")
        /// `alg` is supported but not in the verifier's allow-list.
        public static let algorithmNotAllowed = Code("algorithm_not_allowed")
        /// `crit` or `b64` is present; Moat understands no header extension (RFC 7515 §4.1.11, RFC 7797).
        public static let unsupportedCriticalHeader = Code("unsupported_critical_header")
        /// `jku`, `x5u`, `jwk` or `x5c` is present; keys come only from the configured key set.
        public static let forbiddenHeader = Code("forbidden_header")

        // Keys.
        /// No key in the set has the token's `kid`.
        public static let unknownKey = Code("unknown_key")
        /// The token has no `kid` and the set has more than one key.
        public static let ambiguousKey = Code("ambiguous_key")
        /// The key's algorithm differs from the token's `alg`, or `alg`, `kty` and `crv` disagree.
        public static let keyAlgorithmMismatch = Code("key_algorithm_mismatch")
        /// Key material is malformed, private, weak, or not meant for verifying signatures.
        public static let invalidKey = Code("invalid_key")
        /// The key type is symmetric (`oct`) or one Moat does not implement.
        public static let unsupportedKeyType = Code("unsupported_key_type")
        /// Two keys in one set share a `kid`.
        public static let duplicateKeyID = Code("duplicate_key_id")
        /// Signing failed inside the crypto layer.
        public static let signingFailed = Code("signing_failed")

        // Signature.
        /// The signature does not verify over the received signing input.
        public static let invalidSignature = Code("invalid_signature")

        // Claims.
        /// A registered claim has the wrong JSON type (RFC 7519 §4.1).
        public static let invalidClaimType = Code("invalid_claim_type")
        /// A required claim is absent.
        public static let missingClaim = Code("missing_claim")
        /// `exp` is at or before now minus the leeway.
        public static let tokenExpired = Code("token_expired")
        /// `nbf` is after now plus the leeway.
        public static let tokenNotYetValid = Code("token_not_yet_valid")
        /// `iat` is after now plus the leeway.
        public static let issuedInFuture = Code("issued_in_future")
        /// The token is older than the policy's maximum age, counted from `iat`.
        public static let tokenTooOld = Code("token_too_old")
        /// `iss` differs from the expected issuer.
        public static let issuerMismatch = Code("issuer_mismatch")
        /// `aud` contains none of the expected audiences.
        public static let audienceMismatch = Code("audience_mismatch")
    }

    public let code: Code
    public let reason: String

    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.name): \(reason)" }

    public static func == (lhs: JOSEError, rhs: JOSEError) -> Bool { lhs.code == rhs.code }
}
