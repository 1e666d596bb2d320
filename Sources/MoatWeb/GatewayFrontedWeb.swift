import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatJOSE
import MoatJSON

/// The user behind a request, as the gateway's verified assertion names them.
public struct GatewayUser: Sendable, Equatable {
    public var tenantID: String
    public var objectID: String
    public var name: String?
    public var username: String?
    public var roles: [String]
    public var groups: [String]
    /// The user's access token, present when the gateway forwards tokens (pattern 1).
    public var accessToken: String?
}

/// Where the gateway-fronted web tier sends questions: the api in the same
/// process (pattern 1) or over HTTP with the web tier's own identity (pattern 2).
public protocol GatewayChatBackend: Sendable {
    /// Sends `{"question": ...}` for `user` and returns the api's response:
    /// JSON, or for `.eventStream` the api's server-sent events relayed while they arrive.
    func chat(_ body: Data, format: ChatResponseFormat, user: GatewayUser, requestID: String) async -> HTTPResponse
}

/// `moat web` behind a front door that signs users in (patterns 1 and 2):
/// `moat gateway` or App Service authentication, see ``FrontDoor``.
///
/// Every route except `/healthz`, the static assets and the published keys
/// authenticates the request with the front door first, so a request that
/// bypasses it gets 401. The chat
/// page's anti-CSRF token is an HMAC of the user and the front door's
/// per-session value, and state-changing requests also need a same-origin
/// `Origin` (when the browser sends one).
public final class GatewayFrontedWebApp: HTTPResponder {
    /// Settings: the address browsers use and the anti-CSRF key.
    public struct Configuration: Sendable {
        /// The front door's public URL, which browsers use: the gateway's, or the App Service app's.
        public var publicURL: String
        /// 32-byte key for the anti-CSRF HMAC.
        public var csrfKey: Data
        /// Origins the sign-out form may end up at through redirects, such as the identity
        /// provider's: browsers apply the page's `form-action` to every redirect of the submission.
        public var signOutOrigins: [String]
        /// Public keys served without sign-in at ``GatewayFrontedWebApp/userContextKeysPath``: in pattern 2
        /// the keys that verify the user context this tier sends to an api in another process. Default none.
        public var userContextKeys: JSONWebKeySet?
        /// The configuration key that sets ``publicURL``, named in the error for a request from
        /// another origin. Default `gateway.public_base_url`.
        public var publicURLSetting: String

        public init(
            publicURL: String, csrfKey: Data, signOutOrigins: [String] = [], userContextKeys: JSONWebKeySet? = nil,
            publicURLSetting: String = "gateway.public_base_url"
        ) {
            self.publicURL = publicURL
            self.publicURLSetting = publicURLSetting
            self.csrfKey = csrfKey
            self.signOutOrigins = signOutOrigins
            self.userContextKeys = userContextKeys
        }
    }

    /// Where ``Configuration/userContextKeys`` are served. The path is outside `/.auth`, because App Service
    /// authentication handles that prefix itself, and an App Service deployment must exclude it from sign-in.
    public static let userContextKeysPath = "/.well-known/moat-user-context-keys"

    let configuration: Configuration
    let frontDoor: any FrontDoor
    let backend: any GatewayChatBackend
    let logger: Logger
    private let routes = LockedValue(Router())

    public init(configuration: Configuration, frontDoor: any FrontDoor, backend: any GatewayChatBackend, logger: Logger = .disabled) {
        self.configuration = configuration
        self.frontDoor = frontDoor
        self.backend = backend
        self.logger = logger
        let router = makeRouter()
        routes.withLock { $0 = router }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        var response = await routes.current.respond(to: request)
        response.headers.set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "form-action \((["'self'"] + configuration.signOutOrigins).joined(separator: " ")); frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers.set("X-Frame-Options", "DENY")
        response.headers.set("Referrer-Policy", "same-origin")
        return response
    }

    private func makeRouter() -> Router {
        var router = Router()
        router.get("/healthz") { _ in .json(["status": "ok"]) }
        if let keys = configuration.userContextKeys {
            router.get(Self.userContextKeysPath) { _ in .json(data: keys.serialized()) }
        }
        router.get("/") { [unowned self] request in try await home(request) }
        router.get("/static/chat.js") { _ in WebAssets.response(WebAssets.chatScript, contentType: "text/javascript; charset=utf-8") }
        router.get("/static/chat.css") { _ in WebAssets.response(WebAssets.styleSheet, contentType: "text/css; charset=utf-8") }
        router.get("/auth/login") { _ in .redirect(to: "/.auth/login/aad", status: 303) }
        router.post("/auth/logout") { [unowned self] request in try await logout(request) }
        router.get("/api/me") { [unowned self] request in try await me(request) }
        router.post("/api/chat") { [unowned self] request in try await chat(request) }
        return router
    }

    private func home(_ request: HTTPRequest) async throws -> HTTPResponse {
        let identity: FrontDoorIdentity
        do {
            identity = try await frontDoor.authenticate(request)
        } catch let problem as ProblemDetails where problem.code == AppServiceFrontDoor.tokenExpiredCode {
            // A page load cannot run the chat script's refresh, so the browser goes
            // through App Service's sign-in, which renews the token store.
            return .redirect(to: AppServiceFrontDoor.signInPath, status: 302)
        }
        let user = identity.user
        return .html(WebPages.chat(userName: user.name ?? user.username ?? user.objectID, csrfToken: csrfToken(identity) ?? ""))
    }

    private func me(_ request: HTTPRequest) async throws -> HTTPResponse {
        let user = try await frontDoor.authenticate(request).user
        let body: JSONObject = [
            "kind": "user", "tenantID": .string(user.tenantID), "objectID": .string(user.objectID),
            "name": user.name.map { .string($0) } ?? .null, "roles": .array(user.roles.map { .string($0) }),
        ]
        return .json(data: JSONValue.object(body).serialized())
    }

    private func chat(_ request: HTTPRequest) async throws -> HTTPResponse {
        let identity = try await frontDoor.authenticate(request)
        try checkCSRF(request, token: request.headers["X-CSRF-Token"], identity: identity)
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw ProblemDetails.unsupportedMediaType("send the question as application/json")
        }
        return await backend.chat(request.body, format: ChatResponseFormat.requested(by: request), user: identity.user, requestID: request.requestID)
    }

    /// Sends the browser to the front door's sign-out after checking the form's anti-CSRF token.
    private func logout(_ request: HTTPRequest) async throws -> HTTPResponse {
        let identity = try await frontDoor.authenticate(request)
        try checkCSRF(request, token: (try? request.formValues())?["csrf_token"], identity: identity)
        return .redirect(to: "/.auth/logout", status: 303)
    }

    private func checkCSRF(_ request: HTTPRequest, token: String?, identity: FrontDoorIdentity) throws {
        if let rejection = OriginCheck.rejection(request, expected: GatewayFrontedWebApp.origin(of: configuration.publicURL), setting: configuration.publicURLSetting) {
            logger.warning("cross-origin request rejected", metadata: [
                "moat.request.id": request.requestID, "moat.user.oid": identity.user.objectID,
                "moat.http.origin": request.headers["Origin"] ?? request.headers["Referer"] ?? "",
            ])
            throw rejection
        }
        guard let token, let expected = csrfToken(identity), ConstantTime.equals(token, expected) else {
            logger.warning("anti-forgery check failed", metadata: ["moat.request.id": request.requestID, "moat.user.oid": identity.user.objectID])
            throw ProblemDetails.forbidden(code: "csrf_failed", "the anti-forgery token is missing or wrong; reload the page")
        }
    }

    /// Returns the HMAC of the user and the front door's session value, or nil without a session value.
    /// A token bound to the user alone would be valid in every session of that user.
    private func csrfToken(_ identity: FrontDoorIdentity) -> String? {
        guard let session = identity.sessionBinding else { return nil }
        let message = "csrf|\(identity.user.tenantID):\(identity.user.objectID)|\(session)"
        return Base64URL.encode(HMAC.sha256(key: configuration.csrfKey, message: Data(message.utf8)))
    }

    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url }
        return parsed.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
