import Foundation
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJSON

extension WebApp {
    /// Starts sign-in. Any existing session cookie is cleared first, so a
    /// cookie planted before sign-in never survives it (session fixation).
    func login(_ request: HTTPRequest) async -> HTTPResponse {
        let returnPath = Self.safeReturnPath(request.queryValue("return"))
        do {
            let (url, transaction) = try await relyingParty.startSignIn(returnPath: returnPath)
            let sealed = try cookies.seal(try JSONEncoder().encode(transaction), name: configuration.signInCookieName)
            var response = HTTPResponse.redirect(to: url.absoluteString, status: 303)
            response.setCookie(signInCookie(value: sealed, maxAge: 600))
            response.setCookie(sessionCookie(value: "", maxAge: 0))
            return response
        } catch {
            logger.error("sign-in could not start", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return .html(WebPages.error("Sign-in could not start because the identity provider is unreachable. Try again shortly."), status: 502)
        }
    }

    /// Completes sign-in: the `state` must match the transaction sealed in this
    /// browser's cookie, the `iss` parameter (RFC 9207) must name our issuer,
    /// and the ID token's `nonce` must match.
    func callback(_ request: HTTPRequest) async -> HTTPResponse {
        guard let sealed = request.cookies[configuration.signInCookieName],
              let data = cookies.open(sealed, name: configuration.signInCookieName),
              let transaction = try? JSONDecoder().decode(AuthorizationTransaction.self, from: data)
        else {
            return signInFailed(request, reason: "missing_transaction", "This sign-in was not started in this browser or has expired.")
        }
        guard clock.now().timeIntervalSince1970 - Double(transaction.createdAt) < 600 else {
            return signInFailed(request, reason: "transaction_expired", "This sign-in took too long.")
        }
        guard let state = request.queryValue("state"), ConstantTime.equals(state, transaction.state) else {
            return signInFailed(request, reason: "state_mismatch", "The sign-in response does not belong to this sign-in.")
        }
        if let issuer = request.queryValue("iss"), issuer != configuration.relyingParty.issuer {
            return signInFailed(request, reason: "issuer_mismatch", "The sign-in response came from another identity provider.")
        }
        if let error = request.queryValue("error") {
            return signInFailed(request, reason: "provider_error", "The identity provider reported \(error).")
        }
        guard let code = request.queryValue("code") else {
            return signInFailed(request, reason: "missing_code", "The sign-in response has no code.")
        }
        do {
            let (user, tokens) = try await relyingParty.completeSignIn(code: code, transaction: transaction)
            let now = clock.now()
            let id = await sessions.create(WebSession(
                user: user, accessToken: tokens.accessToken,
                accessTokenExpiresAt: now.addingTimeInterval(TimeInterval(tokens.expiresIn)),
                refreshToken: tokens.refreshToken, idToken: tokens.idToken, csrfToken: SecureRandom.token(),
                createdAt: now, lastSeen: now
            ))
            logger.info("user signed in", metadata: ["moat.request.id": request.requestID, "moat.user.oid": user.objectID])
            var response = HTTPResponse.redirect(to: transaction.returnPath, status: 303)
            response.setCookie(sessionCookie(value: try cookies.seal(Data(id.utf8), name: configuration.sessionCookieName), maxAge: nil))
            response.setCookie(signInCookie(value: "", maxAge: 0))
            return response
        } catch let rejection as TokenRejection where rejection.code == .tenantNotAllowed {
            logger.warning("sign-in failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(rejection)"])
            return signInFailed(
                request, reason: rejection.code.rawValue,
                "Your organization is not allowed to use this application. Ask its administrator to add your tenant.")
        } catch {
            logger.warning("sign-in failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return signInFailed(request, reason: "token_exchange_failed", "The sign-in could not be completed.")
        }
    }

    /// Signs out: requires the session's CSRF token, ends the server-side
    /// session, clears the cookie, then sends the browser to the provider's
    /// end-session endpoint (RP-initiated logout).
    func logout(_ request: HTTPRequest) async -> HTTPResponse {
        guard let (id, session) = await currentSession(request) else {
            var response = HTTPResponse.redirect(to: "/", status: 303)
            response.setCookie(sessionCookie(value: "", maxAge: 0))
            return response
        }
        let form = (try? request.formValues()) ?? [:]
        if let rejection = originRejection(request) {
            return rejection.response(requestID: request.requestID)
        }
        guard let token = form["csrf_token"], ConstantTime.equals(token, session.csrfToken) else {
            return ProblemDetails(status: 403, code: "csrf_failed", title: "Forbidden", detail: "the sign-out form's anti-forgery token is missing or wrong; reload the page")
                .response(requestID: request.requestID)
        }
        await sessions.remove(id: id)
        logger.info("user signed out", metadata: ["moat.request.id": request.requestID, "moat.user.oid": session.user.objectID])
        let signedOut = configuration.publicBaseURL + "/auth/signed-out"
        let target = (try? await relyingParty.endSessionURL(idTokenHint: session.idToken, postLogoutRedirectURI: signedOut))?.absoluteString ?? signedOut
        var response = HTTPResponse.redirect(to: target, status: 303)
        response.setCookie(sessionCookie(value: "", maxAge: 0))
        return response
    }

    private func signInFailed(_ request: HTTPRequest, reason: String, _ message: String) -> HTTPResponse {
        logger.warning("sign-in callback rejected", metadata: ["moat.request.id": request.requestID, "moat.signin.reason": reason])
        var response = HTTPResponse.html(WebPages.error(message + " Start again from the home page."), status: 400)
        response.setCookie(signInCookie(value: "", maxAge: 0))
        return response
    }

    /// Accepts only a same-origin absolute path: `/` followed by anything but a
    /// second `/` or `\`, with no control characters. Anything else becomes `/`.
    static func safeReturnPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.hasPrefix("/\\"),
              !candidate.contains("\\"), candidate.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else { return "/" }
        return candidate
    }

    /// Returns the 403 problem for a cross-origin state-changing request, or nil (see ``OriginCheck``).
    func originRejection(_ request: HTTPRequest) -> ProblemDetails? {
        guard let rejection = OriginCheck.rejection(request, expected: configuration.origin, setting: "web.public_base_url") else { return nil }
        logger.warning("cross-origin request rejected", metadata: [
            "moat.request.id": request.requestID, "moat.http.origin": request.headers["Origin"] ?? request.headers["Referer"] ?? "",
        ])
        return rejection
    }
}
