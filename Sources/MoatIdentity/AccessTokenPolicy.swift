import Foundation
import MoatJOSE

/// What an API accepts as a bearer access token.
///
/// Defaults fail closed: RS256 only (what Entra ID signs with), 60 seconds of
/// clock leeway, tokens older than 24 hours rejected, and only the listed
/// client applications may call.
public struct AccessTokenPolicy: Sendable {
    /// Exact `iss` value, for example `https://login.microsoftonline.com/{tid}/v2.0`.
    public var issuer: String
    /// Accepted `aud` values: the API's client id and, optionally, its App ID URI.
    public var audiences: [String]
    /// Signature algorithms accepted from this issuer. Default: RS256.
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Clock leeway in seconds for `exp`, `nbf` and `iat`. Default 60, at most 300.
    public var leeway: TimeInterval
    /// Maximum age in seconds computed from `iat`. Default 86400 (24 hours).
    public var maxTokenAge: TimeInterval
    /// Client ids (`azp` or `appid`) allowed to call. An empty list rejects every caller.
    public var allowedClientApps: [String]
    /// Tenant ids (`tid`) allowed to call. An empty list accepts only the tenant in the issuer.
    public var allowedTenants: [String]

    public init(
        issuer: String, audiences: [String], allowedClientApps: [String], allowedTenants: [String] = [],
        allowedAlgorithms: Set<JWSAlgorithm> = [.rs256], leeway: TimeInterval = 60, maxTokenAge: TimeInterval = 86_400
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.allowedClientApps = allowedClientApps
        self.allowedTenants = allowedTenants
        self.allowedAlgorithms = allowedAlgorithms
        self.leeway = leeway
        self.maxTokenAge = maxTokenAge
    }

    var jwtPolicy: JWTValidationPolicy {
        JWTValidationPolicy(
            issuer: issuer, audiences: audiences, allowedAlgorithms: allowedAlgorithms,
            leeway: leeway, maxTokenAge: maxTokenAge, requiredClaims: ["iat"]
        )
    }
}
