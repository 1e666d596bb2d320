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

/// `moat web` behind `moat gateway` (patterns 1 and 2): the gateway signs
/// users in, and this tier trusts only the gateway's signed assertion.
///
/// Every request needs a valid `X-Moat-Gateway-Assertion`: signed by a key in
/// ``assertionKeys``, issued by the gateway for this tier's origin, at most
/// two minutes old, and bound to the request's method and target (`htm`,
/// `htu`). A request that bypasses the gateway therefore gets 401. The chat
/// page's anti-CSRF token is an HMAC of the gateway's session hash (`sid`).
public final class GatewayFrontedWebApp: HTTPResponder {
    /// Settings: where the gateway is and which keys sign its assertions.
    public struct Configuration: Sendable {
        /// The gateway's public URL: the assertion's `iss` and the browser's origin.
        public var gatewayURL: String
        /// This tier's origin, the assertion's `aud`.
        public var audience: String
        /// The gateway's assertion keys (`/.auth/keys`).
        public var assertionKeys: JSONWebKeySet
        /// 32-byte key for the anti-CSRF HMAC.
        public var csrfKey: Data
        /// Origins the sign-out form may end up at through redirects, such as the identity
        /// provider's: browsers apply the page's `form-action` to every redirect of the submission.
        public var signOutOrigins: [String]

        public init(gatewayURL: String, audience: String, assertionKeys: JSONWebKeySet, csrfKey: Data, signOutOrigins: [String] = []) {
            self.gatewayURL = gatewayURL
            self.audience = audience
            self.assertionKeys = assertionKeys
            self.csrfKey = csrfKey
            self.signOutOrigins = signOutOrigins
        }
    }

    let configuration: Configuration
    let backend: any GatewayChatBackend
    let clock: any WallClock
    let logger: Logger
    private let routes = LockedValue(Router())

    public init(configuration: Configuration, backend: any GatewayChatBackend, clock: any WallClock = SystemClock(), logger: Logger = .disabled) {
        self.configuration = configuration
        self.backend = backend
        self.clock = clock
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
        router.get("/") { [unowned self] request in try home(request) }
        router.get("/static/chat.js") { _ in WebAssets.response(WebAssets.chatScript, contentType: "text/javascript; charset=utf-8") }
        router.get("/static/chat.css") { _ in WebAssets.response(WebAssets.styleSheet, contentType: "text/css; charset=utf-8") }
        router.get("/auth/login") { _ in .redirect(to: "/.auth/login/aad", status: 303) }
        router.post("/auth/logout") { [unowned self] request in try logout(request) }
        router.get("/api/me") { [unowned self] request in try me(request) }
        router.post("/api/chat") { [unowned self] request in try await chat(request) }
        return router
    }

    private func home(_ request: HTTPRequest) throws -> HTTPResponse {
        let (user, sid) = try verifiedUser(request)
        return .html(WebPages.chat(userName: user.name ?? user.username ?? user.objectID, csrfToken: csrfToken(sid)))
    }

    private func me(_ request: HTTPRequest) throws -> HTTPResponse {
        let (user, _) = try verifiedUser(request)
        let body: JSONObject = [
            "kind": "user", "tenantID": .string(user.tenantID), "objectID": .string(user.objectID),
            "name": user.name.map { .string($0) } ?? .null, "roles": .array(user.roles.map { .string($0) }),
        ]
        return .json(data: JSONValue.object(body).serialized())
    }

    private func chat(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (user, sid) = try verifiedUser(request)
        try checkCSRF(request, token: request.headers["X-CSRF-Token"], sid: sid)
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw ProblemDetails.unsupportedMediaType("send the question as application/json")
        }
        return await backend.chat(request.body, format: ChatResponseFormat.requested(by: request), user: user, requestID: request.requestID)
    }

    /// Sends the browser to the gateway's sign-out after checking the form's anti-CSRF token.
    private func logout(_ request: HTTPRequest) throws -> HTTPResponse {
        let (_, sid) = try verifiedUser(request)
        try checkCSRF(request, token: (try? request.formValues())?["csrf_token"], sid: sid)
        return .redirect(to: "/.auth/logout", status: 303)
    }

    private func checkCSRF(_ request: HTTPRequest, token: String?, sid: String) throws {
        let origin = request.headers["Origin"]
        guard origin == nil || origin == GatewayFrontedWebApp.origin(of: configuration.gatewayURL),
              let token, ConstantTime.equals(token, csrfToken(sid))
        else {
            throw ProblemDetails.forbidden(code: "csrf_failed", "the anti-forgery token is missing or wrong; reload the page")
        }
    }

    private func csrfToken(_ sid: String) -> String {
        Base64URL.encode(HMAC.sha256(key: configuration.csrfKey, message: Data(("csrf|" + sid).utf8)))
    }

    /// Verifies the gateway's assertion and returns the user with the session hash.
    func verifiedUser(_ request: HTTPRequest) throws -> (GatewayUser, String) {
        guard let assertion = request.headers["X-Moat-Gateway-Assertion"] else {
            throw ProblemDetails.unauthorized(code: "gateway_assertion_missing", "this service is reachable only through the gateway")
        }
        let policy = JWTValidationPolicy(
            issuer: configuration.gatewayURL, audiences: [configuration.audience], allowedAlgorithms: [.es256],
            leeway: 30, maxTokenAge: 120, requiredClaims: ["iat", "oid", "tid"]
        )
        let verified: VerifiedJWT
        do {
            verified = try JWTVerifier(keySet: configuration.assertionKeys, policy: policy).verify(assertion, now: clock.now())
        } catch {
            logger.warning("gateway assertion rejected", metadata: ["moat.request.id": request.requestID, "moat.auth.code": error.code.name])
            throw ProblemDetails.unauthorized(code: "gateway_assertion_invalid", "the gateway assertion is not valid")
        }
        guard verified.string("htm") == request.method, verified.string("htu") == request.target else {
            throw ProblemDetails.unauthorized(code: "gateway_assertion_invalid", "the gateway assertion was issued for another request")
        }
        let strings: (String) -> [String] = { verified.claims[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let user = GatewayUser(
            tenantID: verified.string("tid") ?? "", objectID: verified.string("oid") ?? "", name: verified.string("name"),
            username: verified.string("preferred_username"), roles: strings("roles"), groups: strings("groups"),
            accessToken: request.headers["X-MS-TOKEN-AAD-ACCESS-TOKEN"]
        )
        return (user, verified.string("sid") ?? "")
    }

    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url }
        return parsed.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
