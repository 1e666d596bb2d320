import Foundation
import MoatIdentity

/// Settings of `moat gateway`, the authenticating reverse proxy.
///
/// Defaults fail closed: every path needs a signed-in user or a valid bearer
/// token, no forwarding header from a client is trusted, and tokens are not
/// passed to the upstream.
public struct GatewayConfiguration: Sendable {
    /// The origin browsers use, for example `https://app.example.com`. Cookies
    /// get `Secure` and the `__Host-` prefix when it is https.
    public var publicBaseURL: String
    /// The app behind the gateway, for example `http://127.0.0.1:8501`.
    public var upstream: URL
    /// Browser sign-in; nil turns sign-in off, so only bearer tokens are accepted.
    /// The redirect URI must be `publicBaseURL + "/.auth/login/<provider>/callback"`.
    public var signIn: RelyingPartyConfiguration?
    /// The provider name in `/.auth/login/<provider>` and `X-MS-CLIENT-PRINCIPAL-IDP`. Default `aad`.
    public var providerName: String
    /// Bearer access tokens accepted from API clients and agents: issuer,
    /// audiences, allowed client applications (`azp`/`appid`) and tenants.
    /// Nil rejects every bearer token.
    public var bearerPolicy: AccessTokenPolicy?
    /// Who may pass once authenticated, and what each path prefix requires.
    public var accessPolicy: GatewayAccessPolicy
    /// Paths served without authentication, such as health checks; matched
    /// exactly on the decoded, normalised path, never on the query.
    public var excludedPaths: [String]
    /// Path prefixes whose unauthenticated requests always get 401, never a redirect.
    public var apiPathPrefixes: [String]
    /// Hosts that absolute return URLs may name (see ``ReturnURLValidator``).
    public var allowedReturnHosts: [String]
    /// Peer addresses whose `X-Forwarded-*` fields are kept. Default empty:
    /// every client's forwarding fields are replaced.
    public var trustedProxies: [String]
    /// Whether the user's access and ID tokens go to the upstream in
    /// `X-MS-TOKEN-AAD-ACCESS-TOKEN` and `X-MS-TOKEN-AAD-ID-TOKEN`. Default false.
    public var forwardTokens: Bool
    /// Whether the upstream receives the client's `Host` field (true, the
    /// default, which apps that check `Origin` against `Host` need) or the upstream's own.
    public var preserveHost: Bool
    /// 32-byte AES-256-GCM key that seals the session and sign-in cookies.
    public var cookieKey: Data
    /// Seconds without a request before a session ends. Default 1800.
    public var idleTimeout: TimeInterval
    /// Seconds after sign-in when a session ends regardless of use. Default 28800.
    public var absoluteTimeout: TimeInterval
    /// `aud` of the signed assertion header. Default: the upstream's origin.
    public var assertionAudience: String
    /// Lifetime of the signed assertion in seconds. Default 60.
    public var assertionLifetime: TimeInterval
    /// Seconds an assertion is reused for the same caller, method and target
    /// (see ``AssertionCache``); 0 signs a new one for every request. Default
    /// 15, a quarter of the default lifetime; at most half the lifetime is used.
    public var assertionReuseWindow: TimeInterval
    /// Seconds allowed to connect to the upstream before a 504. Default 5.
    public var connectTimeout: TimeInterval
    /// Seconds the upstream may stay silent before a 504 (or, once the body
    /// streams, before the connection is cut). Default 60.
    public var readTimeout: TimeInterval
    /// Path of a PEM bundle of CA certificates that verifies an https
    /// upstream's certificate instead of the system's trusted CAs, for an
    /// upstream with a private CA. Nil (the default) uses the system store.
    /// Verification is always on; no setting turns it off.
    public var upstreamCAFile: String?
    /// Path of the SQLite file that keeps sign-outs across restarts and shares
    /// them with gateway processes using the same file. Nil (the default)
    /// keeps them in this process only.
    public var revocationFile: String?

    public init(
        publicBaseURL: String,
        upstream: URL,
        signIn: RelyingPartyConfiguration?,
        bearerPolicy: AccessTokenPolicy?,
        cookieKey: Data,
        providerName: String = "aad",
        accessPolicy: GatewayAccessPolicy = GatewayAccessPolicy(),
        excludedPaths: [String] = [],
        apiPathPrefixes: [String] = [],
        allowedReturnHosts: [String] = [],
        trustedProxies: [String] = [],
        forwardTokens: Bool = false,
        preserveHost: Bool = true,
        idleTimeout: TimeInterval = 1800,
        absoluteTimeout: TimeInterval = 28_800,
        assertionAudience: String? = nil,
        assertionLifetime: TimeInterval = 60,
        assertionReuseWindow: TimeInterval = 15,
        connectTimeout: TimeInterval = 5,
        readTimeout: TimeInterval = 60,
        upstreamCAFile: String? = nil,
        revocationFile: String? = nil
    ) {
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.upstream = upstream
        self.signIn = signIn
        self.bearerPolicy = bearerPolicy
        self.cookieKey = cookieKey
        self.providerName = providerName
        self.accessPolicy = accessPolicy
        self.excludedPaths = excludedPaths
        self.apiPathPrefixes = apiPathPrefixes
        self.allowedReturnHosts = allowedReturnHosts
        self.trustedProxies = trustedProxies
        self.forwardTokens = forwardTokens
        self.preserveHost = preserveHost
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.assertionAudience = assertionAudience ?? Self.origin(of: upstream.absoluteString)
        self.assertionLifetime = assertionLifetime
        self.assertionReuseWindow = assertionReuseWindow
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.upstreamCAFile = upstreamCAFile
        self.revocationFile = revocationFile
    }

    var isSecure: Bool { publicBaseURL.hasPrefix("https://") }
    var sessionCookieName: String { isSecure ? "__Host-moat_gw_session" : "moat_gw_session" }
    var signInCookieName: String { isSecure ? "__Host-moat_gw_signin" : "moat_gw_signin" }
    var callbackPath: String { "/.auth/login/\(providerName)/callback" }
    var publicOrigin: String { Self.origin(of: publicBaseURL) }
    var publicScheme: String { isSecure ? "https" : "http" }

    /// `scheme://host[:port]` of a URL.
    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, parsed.host != nil else { return url }
        return "\(scheme)://\(authority(of: parsed))"
    }

    /// `host[:port]` of a URL, with an IPv6 address in brackets (RFC 3986 §3.2.2),
    /// which Foundation's `URL.host` leaves out.
    static func authority(of url: URL) -> String {
        guard var host = url.host else { return "" }
        if host.contains(":"), !host.hasPrefix("[") {
            host = "[\(host)]"
        }
        return url.port.map { "\(host):\($0)" } ?? host
    }
}
