import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJOSE

/// `moat gateway`: an authenticating reverse proxy in front of any web app,
/// in the manner of App Service Authentication ("Easy Auth").
///
/// For each request, in order:
/// 1. `/.auth/*` is served by the gateway itself (sign-in, `/.auth/me`,
///    logout, refresh, keys).
/// 2. The decoded path is normalised; a path that climbs above the root gets 400.
/// 3. A bearer token, when present, must be valid (401 otherwise, even on
///    excluded paths); else the session cookie is read.
/// 4. Excluded paths pass without authentication. Unauthenticated browsers
///    are redirected to sign-in; API clients (by `Accept`,
///    `X-Requested-With`, WebSocket upgrade or path prefix) get 401.
/// 5. The access policy is checked on the normalised path (403 when denied).
/// 6. The request goes to the upstream with identity fields the gateway
///    writes itself (every client-sent copy is removed first), streaming
///    both ways, or as a WebSocket tunnel.
public final class Gateway: HTTPBlockingResponder, HTTPLoopResponder {
    let configuration: GatewayConfiguration
    let relyingParty: RelyingParty?
    let validator: AccessTokenValidator?
    /// True when ``validator`` is set. Requests read this flag, because testing
    /// the optional validator itself copied the whole struct on every request.
    let acceptsBearerTokens: Bool
    let assertionSigner: GatewayAssertionSigner
    let sessionCookie: ChunkedSealedCookie
    let signInCookie: ChunkedSealedCookie
    let returnURLs: ReturnURLValidator
    let upstreamClient: StreamingHTTPClient
    let clock: any WallClock
    let logger: Logger
    let authRoutes = LockedValue(Router())
    /// Sessions signed out before their absolute timeout, kept in the data
    /// folder when one is configured.
    /// NOTE: gateways on other hosts do not see these sign-outs and accept the
    /// cookie until its idle or absolute timeout.
    let revokedSessions: RevokedSessions
    let verifiedTokens = VerifiedTokenCache()
    let openedSessions = OpenedSessionCache()
    let renewals = SessionRenewalCache(reuseInterval: Gateway.renewalInterval)
    let refreshes = SessionRefreshes()
    /// `scheme://host[:port]` of the upstream, the prefix of every upstream URL.
    let upstreamOrigin: String
    /// The upstream's `host[:port]`, for the `Host` field.
    let upstreamAuthority: String
    let assertions: AssertionCache

    /// Largest body accepted by the `/.auth/*` endpoints, in bytes.
    static let maxAuthBodyBytes = 16 * 1024
    /// A session cookie is renewed (sliding expiry) when it was last renewed this many seconds ago.
    static let renewalInterval: Int64 = 60

    /// Creates the gateway.
    ///
    /// - Parameters:
    ///   - keys: the issuer's keys, for sign-in and bearer tokens; needed when
    ///     either is configured.
    ///   - assertionKey: the P-256 key that signs the assertion header.
    /// - Throws: ``GatewayError`` `invalid_configuration` when the cookie key is
    ///   not 32 bytes, the keys are missing, or the assertion key is not P-256.
    public init(
        configuration: GatewayConfiguration, keys: KeySetCache?, assertionKey: PrivateKey,
        client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) throws {
        guard configuration.cookieKey.count == 32 else {
            throw GatewayError(.invalidConfiguration, "the cookie key is \(configuration.cookieKey.count) bytes; it must be 32")
        }
        if configuration.signIn != nil || configuration.bearerPolicy != nil, keys == nil {
            throw GatewayError(.invalidConfiguration, "sign-in and bearer tokens need the issuer's key set")
        }
        try configuration.validateUpstreamCAFile()
        self.revokedSessions = try RevokedSessions(
            file: configuration.revocationFile, now: Int64(clock.now().timeIntervalSince1970), logger: logger)
        self.configuration = configuration
        self.relyingParty = configuration.signIn.flatMap { signIn in
            keys.map { RelyingParty(configuration: signIn, keys: $0, client: client, clock: clock) }
        }
        self.validator = configuration.bearerPolicy.flatMap { policy in
            // Rejection reasons then name gateway.allowed_client_apps and gateway.allowed_tenants.
            var policy = policy
            policy.settingsSection = "gateway"
            return keys.map { AccessTokenValidator(policy: policy, keys: $0, clock: clock) }
        }
        self.acceptsBearerTokens = validator != nil
        do {
            self.assertionSigner = try GatewayAssertionSigner(
                key: assertionKey, issuer: configuration.publicBaseURL, audience: configuration.assertionAudience,
                lifetime: configuration.assertionLifetime
            )
        } catch {
            throw GatewayError(.invalidConfiguration, "the assertion key cannot sign ES256: \(error)")
        }
        // Capped at half the lifetime, so a reused assertion always has half its lifetime left.
        self.assertions = AssertionCache(reuseWindow: max(0, min(configuration.assertionReuseWindow, configuration.assertionLifetime / 2)))
        self.sessionCookie = ChunkedSealedCookie(key: configuration.cookieKey, name: configuration.sessionCookieName)
        self.signInCookie = ChunkedSealedCookie(key: configuration.cookieKey, name: configuration.signInCookieName)
        self.returnURLs = ReturnURLValidator(allowedHosts: configuration.allowedReturnHosts)
        self.upstreamClient = StreamingHTTPClient(logger: logger)
        self.upstreamOrigin = GatewayConfiguration.origin(of: configuration.upstream.absoluteString)
        self.upstreamAuthority = GatewayConfiguration.authority(of: configuration.upstream)
        self.clock = clock
        self.logger = logger
        let router = makeAuthRouter()
        authRoutes.withLock { $0 = router }
    }

    /// The key set that verifies the assertion header, served at `/.auth/keys`.
    public var assertionKeySet: JSONWebKeySet { assertionSigner.keySet }

    /// Handles a request on a thread that may block; see the type's
    /// description for the order of checks.
    ///
    /// On an event-loop server this is the fallback path: requests with a
    /// body, WebSocket upgrades, `/.auth/*` and bearer tokens that are not yet
    /// in the verified-token cache (see ``respondOnLoop(to:)``). The upstream
    /// transfer runs on this thread until the response head arrives.
    public func respondBlocking(to request: HTTPRequest, body: HTTPRequestBody) -> HTTPResponse {
        if request.path == "/.auth" || request.path.hasPrefix("/.auth/") {
            return BlockingWait.run { await self.serveAuthEndpoint(request, body: body) }
        }
        let authentication = authenticateImmediately(request) ?? BlockingWait.run { await self.authenticate(request) }
        return proceed(request, body: body, authentication: authentication)
    }

    /// Applies the access decision to an authenticated request and forwards it.
    func proceed(_ request: HTTPRequest, body: HTTPRequestBody, authentication: Authentication) -> HTTPResponse {
        switch accessDecision(request, authentication: authentication) {
        case .reply(let response):
            body.discard()
            return response
        case .forward(let caller, let cookies):
            return forward(request, body: body, caller: caller, cookies: cookies)
        }
    }

    /// The next step for a request once its credentials were read.
    enum AccessDecision {
        case reply(HTTPResponse)
        /// Forward to the upstream for `caller` (nil on an excluded path), adding `cookies` to the response.
        case forward(caller: GatewayCaller?, cookies: [SetCookie])
    }

    /// Checks the path, the authentication outcome and the access policy.
    func accessDecision(_ request: HTTPRequest, authentication: Authentication) -> AccessDecision {
        guard let path = PathNormalization.normalize(request.path) else {
            return .reply(ProblemDetails.badRequest(code: "invalid_path", "the path climbs above the root").response(requestID: request.requestID))
        }
        // libcurl resolves "." and ".." before sending, so the upstream would see another
        // target than the one the assertion's htu binds; such paths are refused instead.
        if PathNormalization.containsDotSegment(request.path) {
            return .reply(
                ProblemDetails.badRequest(code: "invalid_path", "the path contains . or .. segments; send the resolved path")
                    .response(requestID: request.requestID)
            )
        }
        switch authentication {
        case .rejected(let response):
            return .reply(response)
        case .anonymous:
            guard PathNormalization.isExcluded(request.path, excluded: configuration.excludedPaths) else {
                return .reply(unauthenticated(request))
            }
            return .forward(caller: nil, cookies: [])
        case .authenticated(let caller, let cookies):
            if case .denied(let code, let reason) = configuration.accessPolicy.evaluate(caller, path: path) {
                logger.info("request denied by policy", metadata: [
                    "moat.request.id": request.requestID, "moat.auth.code": code, "moat.user.oid": caller.objectID,
                ])
                return .reply(ProblemDetails.forbidden(code: code, reason).response(requestID: request.requestID))
            }
            return .forward(caller: caller, cookies: cookies)
        }
    }

    /// Redirects a browser to sign-in, or returns 401 to an API client.
    func unauthenticated(_ request: HTTPRequest) -> HTTPResponse {
        if configuration.signIn != nil, isBrowserNavigation(request) {
            let login = "/.auth/login/\(configuration.providerName)?post_login_redirect_uri=" + FormEncoding.encodeComponent(request.target)
            return HTTPResponse.redirect(to: login, status: 302)
        }
        var response = ProblemDetails.unauthorized(code: "authentication_required", "sign in, or send an access token in the Authorization header")
            .response(requestID: request.requestID)
        response.headers.set("WWW-Authenticate", "Bearer realm=\"\(configuration.publicOrigin)\"")
        return response
    }

    /// A top-level page load: GET or HEAD accepting HTML, not an XHR, not a
    /// WebSocket upgrade and not under an API path prefix.
    func isBrowserNavigation(_ request: HTTPRequest) -> Bool {
        guard request.method == "GET" || request.method == "HEAD" else { return false }
        guard request.headers["X-Requested-With"] == nil, !Self.isWebSocketUpgrade(request) else { return false }
        guard request.headers["Accept"]?.lowercased().contains("text/html") == true else { return false }
        let path = PathNormalization.normalize(request.path) ?? request.path
        return !configuration.apiPathPrefixes.contains { PathNormalization.path(path, isUnder: $0) }
    }
}

/// A gateway configuration or runtime error.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidConfiguration = "invalid_configuration"
        case upstreamUnreachable = "upstream_unreachable"
        case upstreamTimeout = "upstream_timeout"
        case upstreamProtocolError = "upstream_protocol_error"
        case upstreamCertificateInvalid = "upstream_certificate_invalid"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
