import Foundation
import MoatJSON

/// The claim and algorithm rules a ``JWTVerifier`` applies beyond the signature check.
public struct JWTValidationPolicy: Sendable {
    /// Largest accepted clock tolerance, in seconds.
    public static let maxLeeway: TimeInterval = 300

    /// Accepted issuers; a token's `iss` must equal the value one of them
    /// expects (compared as a string, no normalization). An empty list accepts no token.
    public var issuers: [IssuerPattern]
    /// The first accepted issuer's pattern; setting it replaces the whole list with that one issuer.
    public var issuer: String {
        get { issuers.first?.template ?? "" }
        set { issuers = [IssuerPattern(newValue)] }
    }
    /// Accepted `aud` values; the token's `aud` must contain at least one.
    /// An empty list accepts no token.
    public var audiences: [String]
    /// Algorithms accepted in the header, case-sensitive; the key must also use the same one.
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Clock tolerance in seconds applied to `exp`, `nbf`, `iat` and ``maxTokenAge``.
    /// Default 60; clamped to 0...300 whenever it is set.
    public var leeway: TimeInterval {
        get { storedLeeway }
        set { storedLeeway = Self.clampLeeway(newValue) }
    }
    /// Maximum age in seconds counted from `iat`; when set, `iat` becomes required. Default nil (no limit).
    public var maxTokenAge: TimeInterval?
    /// Claims that must be present in addition to `exp`, `iss` and `aud`, which are always required.
    public var requiredClaims: [String] {
        didSet { requiredClaimNames = requiredClaims.map { JSONMemberName($0) } }
    }
    /// ``requiredClaims`` prepared for lookups once, not on every token.
    private(set) var requiredClaimNames: [JSONMemberName]
    /// DER bytes of a certificate already registered for the signer. When set,
    /// an `x5c` header whose first certificate is exactly these bytes is
    /// tolerated, as MSAL sends with certificate credentials. The key still
    /// comes only from the key set. Default nil, so any `x5c` rejects the token.
    public var pinnedCertificate: Data?

    private var storedLeeway: TimeInterval

    /// A policy for one exact issuer.
    public init(
        issuer: String, audiences: [String], allowedAlgorithms: Set<JWSAlgorithm>,
        leeway: TimeInterval = 60, maxTokenAge: TimeInterval? = nil, requiredClaims: [String] = []
    ) {
        self.init(
            issuers: [IssuerPattern(issuer)], audiences: audiences, allowedAlgorithms: allowedAlgorithms,
            leeway: leeway, maxTokenAge: maxTokenAge, requiredClaims: requiredClaims)
    }

    /// A policy accepting several issuers, for example an Entra v2.0 and a v1.0 issuer, or a multi-tenant template.
    public init(
        issuers: [IssuerPattern], audiences: [String], allowedAlgorithms: Set<JWSAlgorithm>,
        leeway: TimeInterval = 60, maxTokenAge: TimeInterval? = nil, requiredClaims: [String] = []
    ) {
        self.issuers = issuers
        self.audiences = audiences
        self.allowedAlgorithms = allowedAlgorithms
        self.storedLeeway = Self.clampLeeway(leeway)
        self.maxTokenAge = maxTokenAge
        self.requiredClaims = requiredClaims
        self.requiredClaimNames = requiredClaims.map { JSONMemberName($0) }
    }

    private static func clampLeeway(_ value: TimeInterval) -> TimeInterval {
        guard value.isFinite else { return maxLeeway }
        return min(max(value, 0), maxLeeway)
    }
}
