import Foundation
import MoatIdentity

/// Settings of `moat web`, the backend-for-frontend.
public struct WebConfiguration: Sendable {
    /// Origin the browser uses, for example `https://chat.example.com` or `http://127.0.0.1:8080`.
    /// Cookies get `Secure` and the `__Host-` prefix when it is https.
    public var publicBaseURL: String
    /// Base URL of `moat api`, for example `http://127.0.0.1:8081`.
    public var apiBaseURL: URL
    /// Sign-in settings; the redirect URI must be `publicBaseURL + "/auth/callback"`.
    public var relyingParty: RelyingPartyConfiguration
    /// 32-byte AES-256-GCM key that seals the session and sign-in cookies. Keep it secret.
    public var cookieKey: Data
    /// Seconds without a request before a session ends. Default 1800.
    public var idleTimeout: TimeInterval
    /// Seconds after sign-in when a session ends regardless of use. Default 28800 (8 hours).
    public var absoluteTimeout: TimeInterval

    public init(
        publicBaseURL: String, apiBaseURL: URL, relyingParty: RelyingPartyConfiguration, cookieKey: Data,
        idleTimeout: TimeInterval = 1800, absoluteTimeout: TimeInterval = 28_800
    ) {
        self.publicBaseURL = publicBaseURL
        self.apiBaseURL = apiBaseURL
        self.relyingParty = relyingParty
        self.cookieKey = cookieKey
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    var isSecure: Bool { publicBaseURL.hasPrefix("https://") }
    var sessionCookieName: String { isSecure ? "__Host-moat_session" : "moat_session" }
    var signInCookieName: String { isSecure ? "__Host-moat_signin" : "moat_signin" }

    /// `scheme://host:port` of `publicBaseURL`, compared with the `Origin` header.
    var origin: String {
        guard let url = URL(string: publicBaseURL), let scheme = url.scheme, let host = url.host else { return publicBaseURL }
        return url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
