import Foundation
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// The `/.auth/*` endpoints, shaped like App Service Authentication's.
extension Gateway {
    func makeAuthRouter() -> Router {
        var router = Router()
        let provider = configuration.providerName
        router.get("/.auth/login/\(provider)") { [unowned self] request in await login(request) }
        router.get("/.auth/login/\(provider)/callback") { [unowned self] request in await callback(request) }
        router.get("/.auth/me") { [unowned self] request in me(request) }
        router.get("/.auth/logout") { [unowned self] request in await logout(request) }
        router.post("/.auth/logout") { [unowned self] request in await logout(request) }
        router.get("/.auth/logout/complete") { _ in .html(GatewayPages.signedOut()) }
        router.get("/.auth/refresh") { [unowned self] request in await refresh(request) }
        router.post("/.auth/refresh") { [unowned self] request in await refresh(request) }
        router.get("/.auth/keys") { [unowned self] _ in
            var response = HTTPResponse.json(data: assertionKeySet.serialized())
            response.headers.set("Cache-Control", "public, max-age=300")
            return response
        }
        return router
    }

    func serveAuthEndpoint(_ request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        var buffered = request
        do {
            buffered.body = try await body.collect(limit: Self.maxAuthBodyBytes)
        } catch {
            return error.response(requestID: request.requestID)
        }
        return await authRoutes.current.respond(to: buffered)
    }

    /// `GET /.auth/login/<provider>?post_login_redirect_uri=`: starts sign-in.
    /// Clears any session first, so a cookie planted before sign-in never survives it.
    func login(_ request: HTTPRequest) async -> HTTPResponse {
        guard let relyingParty else {
            return ProblemDetails.notFound(code: "sign_in_disabled", "sign-in is not configured on this gateway").response(requestID: request.requestID)
        }
        let candidate = request.queryValue("post_login_redirect_uri") ?? request.queryValue("post_login_redirect_url")
        let returnTarget = returnURLs.safeTarget(candidate)
        if let candidate, candidate != returnTarget {
            logger.notice("return URL rejected", metadata: ["moat.request.id": request.requestID])
        }
        do {
            let (url, transaction) = try await relyingParty.startSignIn(returnPath: returnTarget)
            guard let sealed = try signInCookie.seal(JSONEncoder().encode(transaction)) else {
                throw GatewayError(.invalidConfiguration, "the sign-in transaction does not fit in a cookie")
            }
            var response = HTTPResponse.redirect(to: url.absoluteString, status: 302)
            for (index, value) in sealed.enumerated() {
                response.setCookie(cookie(signInCookie.pieceName(index), value: value, maxAge: 600))
            }
            for cleared in clearedSessionCookies(request) {
                response.setCookie(cleared)
            }
            return response
        } catch {
            logger.error("sign-in could not start", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return ProblemDetails.badGateway(code: "identity_provider_unreachable", "sign-in could not start; try again shortly")
                .response(requestID: request.requestID)
        }
    }

    /// `GET /.auth/login/<provider>/callback`: checks `state` against the
    /// transaction sealed in this browser's cookie, `iss` (RFC 9207) and the
    /// ID token's `nonce`, then stores the session.
    func callback(_ request: HTTPRequest) async -> HTTPResponse {
        guard let relyingParty, let signIn = configuration.signIn else {
            return ProblemDetails.notFound(code: "sign_in_disabled").response(requestID: request.requestID)
        }
        guard let sealed = signInCookie.open(request.cookies),
              let transaction = try? JSONDecoder().decode(AuthorizationTransaction.self, from: sealed)
        else {
            // The sign-in cookie is set on the host the user opened, and the callback
            // comes to the public base URL: a different host (localhost against
            // 127.0.0.1) loses the cookie.
            return signInFailed(
                request, code: "missing_transaction",
                "this sign-in was not started in this browser or has expired (it is also lost when the site was opened at another address than \(configuration.publicOrigin), so use that address)"
            )
        }
        let now = clock.now()
        guard now.timeIntervalSince1970 - Double(transaction.createdAt) < 600 else {
            return signInFailed(request, code: "transaction_expired", "the sign-in took longer than 10 minutes")
        }
        guard let state = request.queryValue("state"), ConstantTime.equals(state, transaction.state) else {
            return signInFailed(request, code: "state_mismatch", "the sign-in response does not belong to this sign-in")
        }
        if let issuer = request.queryValue("iss"), issuer != signIn.issuer {
            return signInFailed(request, code: "issuer_mismatch", "the sign-in response came from another identity provider")
        }
        if let error = request.queryValue("error") {
            return signInFailed(request, code: "provider_error", "the identity provider returned \(error.prefix(64))")
        }
        guard let code = request.queryValue("code") else {
            return signInFailed(request, code: "missing_code", "the sign-in response has no code")
        }
        do {
            let (user, tokens) = try await relyingParty.completeSignIn(code: code, transaction: transaction)
            let allowedTenants = configuration.accessPolicy.allowedTenants
            if !allowedTenants.isEmpty, !allowedTenants.contains(user.tenantID) {
                return signInFailed(request, code: "tenant_not_allowed", "tenant \(user.tenantID) may not sign in here")
            }
            let session = makeSession(user: user, tokens: tokens, now: Int64(now.timeIntervalSince1970))
            var response = HTTPResponse.redirect(to: transaction.returnPath, status: 302)
            for piece in try sessionCookies(for: session, replacing: request) {
                response.setCookie(piece)
            }
            response.setCookie(cookie(signInCookie.pieceName(0), value: "", maxAge: 0))
            logger.info("user signed in", metadata: ["moat.request.id": request.requestID, "moat.user.oid": user.objectID])
            return response
        } catch {
            logger.warning("sign-in failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return signInFailed(request, code: "token_exchange_failed", "the sign-in could not be completed")
        }
    }

    /// Builds a session from the ID token's claims and the roles and groups of
    /// the access token, which came straight from the token endpoint over the
    /// back channel (OpenID Connect Core §3.1.3.7 step 6 trusts that channel).
    func makeSession(user: SignedInUser, tokens: TokenResponse, now: Int64) -> GatewaySession {
        var claims: [GatewayClaim] = []
        var roles: [String] = []
        var groups: [String] = []
        if let idToken = tokens.idToken, let payload = Self.unverifiedClaims(idToken) {
            for (name, value) in payload where !["nonce", "aud", "iat", "nbf", "exp", "ver"].contains(name) {
                claims += Self.claimValues(name, value)
            }
        }
        if let payload = Self.unverifiedClaims(tokens.accessToken) {
            roles = payload["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            groups = payload["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        claims += roles.map { GatewayClaim(typ: "roles", val: $0) }
        claims += groups.map { GatewayClaim(typ: "groups", val: $0) }
        // The session keeps the access and ID tokens only when they are forwarded,
        // which keeps the cookie small; refresh needs only the refresh token.
        let keepTokens = configuration.forwardTokens
        return GatewaySession(
            id: SecureRandom.token(), tenantID: user.tenantID, objectID: user.objectID, name: user.name, username: user.username,
            roles: roles, groups: groups, claims: claims, idToken: keepTokens ? tokens.idToken : nil, accessToken: keepTokens ? tokens.accessToken : nil,
            accessTokenExpiresAt: now + Int64(tokens.expiresIn), refreshToken: tokens.refreshToken, createdAt: now, lastSeen: now
        )
    }

    /// The claims of a token whose signature was already checked or that came over the back channel.
    static func unverifiedClaims(_ token: String) -> JSONObject? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = try? Base64URL.decode(parts[1]) else { return nil }
        return (try? JSONValue.parse(payload))?.objectValue
    }

    private static func claimValues(_ name: String, _ value: JSONValue) -> [GatewayClaim] {
        if let string = value.stringValue { return [GatewayClaim(typ: name, val: string)] }
        if let integer = value.int64Value { return [GatewayClaim(typ: name, val: String(integer))] }
        if let array = value.arrayValue { return array.compactMap(\.stringValue).map { GatewayClaim(typ: name, val: $0) } }
        return []
    }

    private func signInFailed(_ request: HTTPRequest, code: String, _ detail: String) -> HTTPResponse {
        logger.warning("sign-in callback rejected", metadata: ["moat.request.id": request.requestID, "moat.signin.reason": code])
        var response = ProblemDetails.badRequest(code: code, detail + "; start again").response(requestID: request.requestID)
        response.setCookie(cookie(signInCookie.pieceName(0), value: "", maxAge: 0))
        return response
    }

    /// `GET /.auth/me`: the signed-in user as App Service shows them.
    func me(_ request: HTTPRequest) -> HTTPResponse {
        guard let session = currentSession(request) else {
            return ProblemDetails.unauthorized(code: "not_signed_in", "no session; sign in at /.auth/login/\(configuration.providerName)")
                .response(requestID: request.requestID)
        }
        var entry: JSONObject = [
            "provider_name": .string(configuration.providerName),
            "user_id": .string(session.username ?? session.objectID),
            "user_claims": .array(session.claims.map { .object(["typ": .string($0.typ), "val": .string($0.val)]) }),
            "expires_on": .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(session.accessTokenExpiresAt)))),
        ]
        // Tokens reach the browser only when the operator chose to pass tokens on.
        if configuration.forwardTokens {
            entry["access_token"] = session.accessToken.map { .string($0) }
            entry["id_token"] = session.idToken.map { .string($0) }
        }
        return .json(data: JSONValue.array([.object(entry)]).serialized())
    }

    /// `/.auth/logout`: clears the session and sends the browser to the
    /// identity provider's end-session endpoint. A GET works only as a
    /// same-origin navigation (`Sec-Fetch-Site`), so another site cannot sign
    /// a user out with an image tag; other GETs get a confirmation form.
    func logout(_ request: HTTPRequest) async -> HTTPResponse {
        let site = request.headers["Sec-Fetch-Site"]?.lowercased()
        let sameOrigin = request.headers["Origin"].map { $0 == configuration.publicOrigin }
        let allowed = request.method == "POST" ? (sameOrigin ?? (site == nil || site == "same-origin")) : (site == "same-origin" || site == "none")
        guard allowed else {
            if request.method == "GET" {
                return .html(GatewayPages.confirmSignOut())
            }
            return ProblemDetails.forbidden(code: "cross_site_logout", "sign-out must come from this site").response(requestID: request.requestID)
        }
        let session = currentSession(request)
        if let session {
            revoke(session)
        }
        let complete = configuration.publicBaseURL + "/.auth/logout/complete"
        var target = complete
        if let relyingParty, let session {
            target = (try? await relyingParty.endSessionURL(idTokenHint: session.idToken, postLogoutRedirectURI: complete))?.absoluteString ?? complete
            logger.info("user signed out", metadata: ["moat.request.id": request.requestID, "moat.user.oid": session.objectID])
        }
        var response = HTTPResponse.redirect(to: target, status: 302)
        for cleared in clearedSessionCookies(request) {
            response.setCookie(cleared)
        }
        return response
    }

    /// `/.auth/refresh`: redeems the stored refresh token and stores the new tokens.
    /// Requests with the same cookie at the same time share one refresh (``SessionRefreshes``).
    func refresh(_ request: HTTPRequest) async -> HTTPResponse {
        guard let relyingParty, let current = currentSessionAndCaller(request) else {
            return ProblemDetails.unauthorized(code: "not_signed_in", "no session to refresh").response(requestID: request.requestID)
        }
        let (session, cacheKey) = (current.session, current.cacheKey)
        guard let refreshToken = session.refreshToken else {
            return ProblemDetails.unauthorized(code: "no_refresh_token", "the session has no refresh token; sign in again")
                .response(requestID: request.requestID)
        }
        let outcome = await refreshes.outcome(for: cacheKey, now: clock.now()) { [self] in
            do {
                let tokens = try await relyingParty.refresh(refreshToken: refreshToken)
                let now = Int64(clock.now().timeIntervalSince1970)
                var updated = session
                if configuration.forwardTokens {
                    updated.accessToken = tokens.accessToken
                    updated.idToken = tokens.idToken ?? session.idToken
                }
                updated.accessTokenExpiresAt = now + Int64(tokens.expiresIn)
                updated.refreshToken = tokens.refreshToken ?? session.refreshToken
                updated.lastSeen = now
                let cookies = try sessionCookies(for: updated, replacing: request)
                logger.info("session tokens refreshed", metadata: ["moat.request.id": request.requestID, "moat.user.oid": session.objectID])
                return SessionRefreshes.Outcome(cookies: cookies, expiresIn: tokens.expiresIn)
            } catch {
                logger.warning("token refresh failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
                return nil
            }
        }
        guard let outcome else {
            var response = ProblemDetails.unauthorized(code: "refresh_failed", "the tokens could not be refreshed; sign in again")
                .response(requestID: request.requestID)
            for cleared in clearedSessionCookies(request) {
                response.setCookie(cleared)
            }
            return response
        }
        var response = HTTPResponse.json(data: JSONValue.object(["expires_in": .integer(Int64(outcome.expiresIn))]).serialized())
        for piece in outcome.cookies {
            response.setCookie(piece)
        }
        return response
    }
}

/// The few pages the gateway renders itself.
enum GatewayPages {
    static func signedOut() -> String {
        page(title: "Signed out", body: "<p>You are signed out.</p><p><a href=\"/\">Sign in again</a></p>")
    }

    static func confirmSignOut() -> String {
        page(title: "Sign out", body: "<form method=\"post\" action=\"/.auth/logout\"><button type=\"submit\">Sign out</button></form>")
    }

    private static func page(title: String, body: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(title)</title></head><body>\(body)</body></html>"
    }
}
