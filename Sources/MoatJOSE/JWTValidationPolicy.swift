import Foundation

/// The claim and algorithm rules a ``JWTVerifier`` applies beyond the signature check.
public struct JWTValidationPolicy: Sendable {
    /// Largest accepted clock tolerance, in seconds.
    public static let maxLeeway: TimeInterval = 300

    /// The exact expected `iss` (compared as a string, no normalization).
    public var issuer: String
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
    public var requiredClaims: [String]

    private var storedLeeway: TimeInterval

    public init(
        issuer: String, audiences: [String], allowedAlgorithms: Set<JWSAlgorithm>,
        leeway: TimeInterval = 60, maxTokenAge: TimeInterval? = nil, requiredClaims: [String] = []
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.allowedAlgorithms = allowedAlgorithms
        self.storedLeeway = Self.clampLeeway(leeway)
        self.maxTokenAge = maxTokenAge
        self.requiredClaims = requiredClaims
    }

    private static func clampLeeway(_ value: TimeInterval) -> TimeInterval {
        guard value.isFinite else { return maxLeeway }
        return min(max(value, 0), maxLeeway)
    }
}
