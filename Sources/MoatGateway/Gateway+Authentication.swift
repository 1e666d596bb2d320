import Foundation
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJOSE

extension Gateway {
    /// The outcome of reading a request's credentials.
    enum Authentication {
        case anonymous
        /// `cookies` renew the session cookie (sliding expiry); empty when no renewal is due.
        case authenticated(GatewayCaller, cookies: [SetCookie])
        /// Credentials were present but invalid; send this response.
        case rejected(HTTPResponse)
    }

    /// Reads a bearer token first, then the session cookie. A request with an
    /// `Authorization: Bearer` field is judged by the token alone.
    func authenticate(_ request: HTTPRequest) async -> Authentication {
        if let authorization = request.headers["Authorization"], AccessTokenValidator.hasBearerScheme(authorization) {
            if let cached = verifiedTokens.caller(for: authorization, now: clock.now()) {
                return .authenticated(cached, cookies: [])
            }
            return await authenticateBearer(request, authorization: authorization)
        }
        return authenticateSession(request)
    }

    /// Authenticates without waiting: the session cookie, or a bearer token
    /// found in the verified-token cache. Returns nil when the token must be
    /// validated against the issuer's keys first.
    func authenticateImmediately(_ request: HTTPRequest) -> Authentication? {
        if let authorization = request.headers["Authorization"], AccessTokenValidator.hasBearerScheme(authorization) {
            guard acceptsBearerTokens else { return nil }
            return verifiedTokens.caller(for: authorization, now: clock.now()).map { .authenticated($0, cookies: []) }
        }
        return authenticateSession(request)
    }

    private func authenticateSession(_ request: HTTPRequest) -> Authentication {
        guard let current = currentSessionAndCaller(request) else { return .anonymous }
        let now = Int64(clock.now().timeIntervalSince1970)
        guard now - current.entry.session.lastSeen >= Self.renewalInterval else {
            return .authenticated(current.entry.caller, cookies: [])
        }
        let (session, caller, cacheKey) = (current.session, current.caller, current.cacheKey)
        let pieceCount = sessionCookie.pieceCount(in: request.cookies)
        if let reused = renewals.cookies(for: cacheKey, previousPieceCount: pieceCount, now: now) {
            return .authenticated(caller, cookies: reused)
        }
        var renewed = session
        renewed.lastSeen = now
        let cookies = (try? sessionCookies(for: renewed, replacing: request)) ?? []
        if !cookies.isEmpty {
            renewals.store(cookies, for: cacheKey, previousPieceCount: pieceCount, renewedAt: now)
        }
        return .authenticated(caller, cookies: cookies)
    }

    private func authenticateBearer(_ request: HTTPRequest, authorization: String) async -> Authentication {
        guard let validator else {
            return .rejected(invalidToken(request, code: "bearer_not_accepted", "this gateway accepts no bearer tokens; sign in instead (`moat gateway` accepts tokens for the audiences in gateway.audiences, but the gateway of `moat up` patterns 1 and 2 accepts none)"))
        }
        do {
            let principal = try await validator.validate(authorizationHeader: authorization)
            let token = String(authorization.dropFirst("Bearer ".count))
            var claims = [
                GatewayClaim(typ: "tid", val: principal.tenantID), GatewayClaim(typ: "oid", val: principal.objectID),
            ]
            if let app = principal.clientAppID { claims.append(GatewayClaim(typ: "azp", val: app)) }
            if let name = principal.name { claims.append(GatewayClaim(typ: "name", val: name)) }
            if let username = principal.username { claims.append(GatewayClaim(typ: "preferred_username", val: username)) }
            claims += principal.roles.map { GatewayClaim(typ: "roles", val: $0) }
            claims += principal.groups.map { GatewayClaim(typ: "groups", val: $0) }
            claims += principal.scopes.map { GatewayClaim(typ: "scp", val: $0) }
            let caller = GatewayCaller(
                kind: .bearer, tenantID: principal.tenantID, objectID: principal.objectID, name: principal.name,
                username: principal.username, clientAppID: principal.clientAppID, roles: principal.roles,
                groups: principal.groups, claims: claims, accessToken: token, idToken: nil, sessionHash: nil
            )
            var cached = caller
            cached.clientPrincipalHeader = clientPrincipalHeader(for: caller)
            cached.assertionFingerprint = AssertionCache.fingerprint(of: caller)
            verifiedTokens.store(cached, for: authorization, now: clock.now())
            return .authenticated(caller, cookies: [])
        } catch {
            validator.logRejection(error, requestID: request.requestID, logger: logger)
            // A valid token from an application outside gateway.allowed_client_apps is forbidden, as at the api.
            if error.code == .clientNotAllowed {
                return .rejected(ProblemDetails.forbidden(code: error.code.rawValue, error.reason).response(requestID: request.requestID))
            }
            // RFC 6750 §3.1: a malformed Bearer field is invalid_request, which gets 400.
            if error.code == .malformedAuthorization {
                let problem = ProblemDetails.badRequest(code: error.code.rawValue, error.reason)
                return .rejected(bearerChallenge(request, problem, error: "invalid_request"))
            }
            return .rejected(invalidToken(request, code: error.code.rawValue, error.reason))
        }
    }

    /// A 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
    private func invalidToken(_ request: HTTPRequest, code: String, _ reason: String) -> HTTPResponse {
        bearerChallenge(request, ProblemDetails.unauthorized(code: code, reason), error: "invalid_token")
    }

    /// Returns `problem` as a response with `WWW-Authenticate: Bearer` naming the gateway's realm and `error`.
    private func bearerChallenge(_ request: HTTPRequest, _ problem: ProblemDetails, error: String) -> HTTPResponse {
        var response = problem.response(requestID: request.requestID)
        response.headers.set("WWW-Authenticate", "Bearer realm=\"\(configuration.publicOrigin)\", error=\"\(error)\"")
        return response
    }

    /// The live session in the request's cookies, or nil when absent, forged,
    /// expired (idle or absolute) or signed out.
    func currentSession(_ request: HTTPRequest) -> GatewaySession? {
        currentSessionAndCaller(request)?.session
    }

    /// A live session as ``currentSessionAndCaller(_:)`` finds it.
    struct CurrentSession {
        let entry: OpenedSessionCache.Entry
        /// The key of the session's sealed value in ``OpenedSessionCache``.
        let cacheKey: SHA256Digest
        var session: GatewaySession { entry.session }
        var caller: GatewayCaller { entry.caller }
    }

    /// Returns the live session, its caller and the key of its sealed value in
    /// ``OpenedSessionCache``, or nil as ``currentSession(_:)`` does.
    /// A cookie seen before is found in ``OpenedSessionCache`` instead of being
    /// decrypted again, but the timeouts and the revocation list are checked on every call.
    func currentSessionAndCaller(_ request: HTTPRequest) -> CurrentSession? {
        guard let key = sessionCookie.sealedValueKey(in: request) else { return nil }
        let date = clock.now()
        let entry: OpenedSessionCache.Entry
        if let cached = openedSessions.entry(for: key, now: date) {
            entry = cached
        } else {
            guard let sealed = sessionCookie.sealedValue(in: request.cookies),
                  let plaintext = sessionCookie.open(sealedValue: sealed),
                  let opened = GatewaySession(serialized: plaintext)
            else { return nil }
            entry = OpenedSessionCache.Entry(session: opened, caller: caller(from: opened))
            openedSessions.store(entry, for: key, now: date)
        }

        let now = Int64(date.timeIntervalSince1970)
        let session = entry.session
        guard now - session.lastSeen < Int64(configuration.idleTimeout), now - session.createdAt < Int64(configuration.absoluteTimeout) else {
            return nil
        }
        guard !revokedSessions.isRevoked(key: entry.revocationKey, now: now) else { return nil }
        return CurrentSession(entry: entry, cacheKey: key)
    }

    /// Rejects `session` from now on, until it would have expired anyway.
    func revoke(_ session: GatewaySession) {
        let now = Int64(clock.now().timeIntervalSince1970)
        revokedSessions.revoke(session.id, until: session.createdAt + Int64(configuration.absoluteTimeout), now: now)
    }

    /// Returns the caller a session names, with its `X-MS-CLIENT-PRINCIPAL` value encoded.
    func caller(from session: GatewaySession) -> GatewayCaller {
        var caller = GatewayCaller(
            kind: .session, tenantID: session.tenantID, objectID: session.objectID, name: session.name,
            username: session.username, clientAppID: nil, roles: session.roles, groups: session.groups,
            claims: session.claims, accessToken: session.accessToken, idToken: session.idToken,
            sessionHash: FastBase64URL.encode(Digest.sha256(Data(session.id.utf8)).prefix(16))
        )
        caller.clientPrincipalHeader = clientPrincipalHeader(for: caller)
        caller.assertionFingerprint = AssertionCache.fingerprint(of: caller)
        return caller
    }

    /// The `Set-Cookie` fields that store `session`, deleting pieces the request
    /// carries beyond the new count.
    func sessionCookies(for session: GatewaySession, replacing request: HTTPRequest) throws -> [SetCookie] {
        guard let pieces = try sessionCookie.seal(session.serialized()) else {
            throw GatewayError(.invalidConfiguration, "the session does not fit in \(ChunkedSealedCookie.maxPieces) cookies")
        }
        var cookies = pieces.enumerated().map { index, value in
            cookie(sessionCookie.pieceName(index), value: value, maxAge: nil)
        }
        let previous = sessionCookie.pieceCount(in: request.cookies)
        if previous > pieces.count {
            for index in pieces.count..<previous {
                cookies.append(cookie(sessionCookie.pieceName(index), value: "", maxAge: 0))
            }
        }
        return cookies
    }

    /// `Set-Cookie` fields that delete every session piece the request carries.
    func clearedSessionCookies(_ request: HTTPRequest) -> [SetCookie] {
        let count = max(1, sessionCookie.pieceCount(in: request.cookies))
        return (0..<count).map { cookie(sessionCookie.pieceName($0), value: "", maxAge: 0) }
    }

    func cookie(_ name: String, value: String, maxAge: Int?) -> SetCookie {
        SetCookie(name: name, value: value, path: "/", maxAge: maxAge, secure: configuration.isSecure, httpOnly: true, sameSite: .lax)
    }
}
