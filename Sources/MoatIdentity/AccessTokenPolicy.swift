import Foundation
import MoatJOSE

/// What an API accepts as a bearer access token from one issuer.
///
/// Defaults fail closed: RS256 only (what Entra ID signs with), v2.0 tokens
/// only, 60 seconds of clock leeway, tokens older than 24 hours rejected, and
/// only the listed client applications may call.
public struct AccessTokenPolicy: Sendable {
    /// The v2.0 issuer: exact, for example `https://login.microsoftonline.com/{tid}/v2.0`,
    /// or a multi-tenant template containing `{tenantid}`, which is replaced by
    /// the token's `tid` before an exact comparison (see ``IssuerPattern``).
    public var issuer: String
    /// The v1.0 issuer, for example `https://sts.windows.net/{tenantid}/` (with
    /// the trailing slash). Default nil: tokens with `ver` 1.0 are rejected.
    public var v1Issuer: String?
    /// Accepted `aud` values: the API's client id and, optionally, its App ID URI.
    /// Entra ID puts the client id in v2.0 tokens and usually the App ID URI in v1.0 tokens.
    public var audiences: [String]
    /// Signature algorithms accepted from this issuer, case-sensitive. Default: RS256.
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Clock leeway in seconds for `exp`, `nbf` and `iat`. Default 60, at most 300.
    public var leeway: TimeInterval
    /// Maximum age in seconds computed from `iat`, which is required. Default 86400 (24 hours).
    public var maxTokenAge: TimeInterval
    /// Client ids (`azp` in v2.0 tokens, `appid` in v1.0 tokens) allowed to call.
    /// An empty list rejects every caller.
    public var allowedClientApps: [String]
    /// Tenant ids (`tid`) allowed to call. When empty, only the tenant named in
    /// an exact v2.0 issuer (`…/{tid}/v2.0`) is allowed, and a multi-tenant
    /// template accepts no tenant at all.
    public var allowedTenants: [String]
    /// The configuration section whose settings rejection reasons name as the
    /// fix, for example `gateway` for `gateway.allowed_client_apps`. Default `api`.
    public var settingsSection: String = "api"

    public init(
        issuer: String, audiences: [String], allowedClientApps: [String], allowedTenants: [String] = [],
        allowedAlgorithms: Set<JWSAlgorithm> = [.rs256], leeway: TimeInterval = 60, maxTokenAge: TimeInterval = 86_400,
        v1Issuer: String? = nil
    ) {
        self.issuer = issuer
        self.v1Issuer = v1Issuer
        self.audiences = audiences
        self.allowedClientApps = allowedClientApps
        self.allowedTenants = allowedTenants
        self.allowedAlgorithms = allowedAlgorithms
        self.leeway = leeway
        self.maxTokenAge = maxTokenAge
    }

    /// The accepted issuer for each token version.
    var issuerPatterns: [(version: EntraTokenVersion, pattern: IssuerPattern)] {
        var patterns: [(EntraTokenVersion, IssuerPattern)] = [(.v2, IssuerPattern(issuer))]
        if let v1Issuer { patterns.append((.v1, IssuerPattern(v1Issuer))) }
        return patterns
    }

    /// Tenants that may call: the allow-list, or else the tenant of an exact v2.0 issuer.
    var effectiveTenants: [String] {
        if !allowedTenants.isEmpty { return allowedTenants }
        guard !IssuerPattern(issuer).isTenantTemplate else { return [] }
        let components = issuer.split(separator: "/")
        guard components.count >= 2, components.last == "v2.0" else { return [] }
        return [String(components[components.count - 2])]
    }

    var jwtPolicy: JWTValidationPolicy {
        JWTValidationPolicy(
            issuers: issuerPatterns.map(\.pattern), audiences: audiences, allowedAlgorithms: allowedAlgorithms,
            leeway: leeway, maxTokenAge: maxTokenAge, requiredClaims: ["iat"]
        )
    }
}

/// The two access token formats of Microsoft Entra ID, told apart by the `ver` claim.
public enum EntraTokenVersion: String, Sendable, Codable {
    /// `ver: "1.0"`: issuer `https://sts.windows.net/{tid}/`, caller in `appid`, user name in `upn`.
    case v1 = "1.0"
    /// `ver: "2.0"`: issuer `…/{tid}/v2.0`, caller in `azp`, user name in `preferred_username`.
    case v2 = "2.0"
}
