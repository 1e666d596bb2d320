import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJSON

/// `moat web`: serves the chat page, signs users in with OpenID Connect
/// (authorization code + PKCE, `state` and `nonce`), keeps their tokens in a
/// server-side session behind an encrypted cookie, and calls `moat api` with
/// the user's access token.
public final class WebApp: HTTPResponder {
    let configuration: WebConfiguration
    let relyingParty: RelyingParty
    let sessions: SessionStore
    let cookies: SealedCookie
    let client: HTTPClient
    let clock: any WallClock
    let logger: Logger
    private let routes = LockedValue(Router())

    public init(configuration: WebConfiguration, keys: KeySetCache, client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock(), logger: Logger = .disabled) throws {
        guard configuration.cookieKey.count == 32 else {
            throw WebError("the cookie key must be 32 bytes; generate one with `openssl rand -base64 32`")
        }
        self.configuration = configuration
        self.relyingParty = RelyingParty(configuration: configuration.relyingParty, keys: keys, client: client, clock: clock)
        self.sessions = SessionStore(clock: clock, idleTimeout: configuration.idleTimeout, absoluteTimeout: configuration.absoluteTimeout)
        self.cookies = SealedCookie(key: configuration.cookieKey)
        self.client = client
        self.clock = clock
        self.logger = logger
        let router = makeRouter()
        routes.withLock { $0 = router }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        var response = await routes.current.respond(to: request)
        addSecurityHeaders(&response)
        return response
    }

    private func makeRouter() -> Router {
        var router = Router()
        router.get("/") { [unowned self] request in await home(request) }
        router.get("/static/chat.js") { _ in WebAssets.response(WebAssets.chatScript, contentType: "text/javascript; charset=utf-8") }
        router.get("/static/chat.css") { _ in WebAssets.response(WebAssets.styleSheet, contentType: "text/css; charset=utf-8") }
        router.get("/auth/login") { [unowned self] request in await login(request) }
        router.get("/auth/callback") { [unowned self] request in await callback(request) }
        router.post("/auth/logout") { [unowned self] request in await logout(request) }
        router.get("/auth/signed-out") { _ in .html(WebPages.signedOut()) }
        router.get("/api/me") { [unowned self] request in await apiMe(request) }
        router.post("/api/chat") { [unowned self] request in await apiChat(request) }
        router.get("/admin/audit") { [unowned self] request in await adminAudit(request) }
        router.get("/healthz") { _ in .json(["status": "ok"]) }
        return router
    }

    private func addSecurityHeaders(_ response: inout HTTPResponse) {
        var formTargets = "'self'"
        if let idp = URL(string: configuration.relyingParty.issuer), let scheme = idp.scheme, let host = idp.host {
            formTargets += " " + (idp.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)")
        }
        response.headers.set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action \(formTargets); frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers.set("X-Frame-Options", "DENY")
        // Under the server's default `no-referrer`, Chromium 156 sends `Origin: null` and
        // no `Referer` with the sign-out form's same-origin POST, so `originRejection` rejects
        // it. `same-origin` restores both headers and still sends nothing to other sites.
        response.headers.set("Referrer-Policy", "same-origin")
        if configuration.isSecure {
            response.headers.set("Strict-Transport-Security", "max-age=31536000")
        }
    }

    /// The session behind the request's cookie, with its id; nil when absent, forged or expired.
    func currentSession(_ request: HTTPRequest) async -> (id: String, session: WebSession)? {
        guard let value = request.cookies[configuration.sessionCookieName],
              let sealed = cookies.open(value, name: configuration.sessionCookieName),
              let id = String(data: sealed, encoding: .utf8),
              let session = await sessions.session(id: id)
        else { return nil }
        return (id, session)
    }

    func sessionCookie(value: String, maxAge: Int?) -> SetCookie {
        SetCookie(name: configuration.sessionCookieName, value: value, path: "/", maxAge: maxAge, secure: configuration.isSecure, httpOnly: true, sameSite: .lax)
    }

    func signInCookie(value: String, maxAge: Int) -> SetCookie {
        SetCookie(name: configuration.signInCookieName, value: value, path: "/", maxAge: maxAge, secure: configuration.isSecure, httpOnly: true, sameSite: .lax)
    }

    func home(_ request: HTTPRequest) async -> HTTPResponse {
        guard let (_, session) = await currentSession(request) else {
            return .html(WebPages.landing())
        }
        return .html(WebPages.chat(userName: session.user.name ?? session.user.username ?? "", csrfToken: session.csrfToken))
    }
}

/// A web tier configuration or runtime error.
public struct WebError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
