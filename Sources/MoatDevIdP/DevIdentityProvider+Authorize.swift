import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJOSE

/// The authorization endpoint: validates the request, shows the login page,
/// checks the password and redirects back with a code.
///
/// Rules (RFC 9700 §2.1, RFC 7636 §4): the client must be registered and the
/// `redirect_uri` must equal a registered one exactly; until both hold, errors
/// are shown as a page and never redirected. Then `response_type` must be
/// `code` and a `code_challenge` with method `S256` is required; those errors
/// go back to the client as `error=` parameters.
extension DevIdentityProvider {
    static let loginCookieName = "moat_idp_login"

    func showLogin(_ request: HTTPRequest, authority: SignInAuthority) async -> HTTPResponse {
        let parameters = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let clientID = parameters["client_id"], let client = directory.app(clientID: clientID) else {
            return errorPage(status: 400, code: "unknown_client", "The client_id is missing or not registered in the directory.")
        }
        guard let redirectURI = parameters["redirect_uri"], client.redirectURIs.contains(redirectURI) else {
            return errorPage(
                status: 400, code: "redirect_uri_mismatch",
                "The redirect_uri is missing or not registered for application \(client.name); it must match a registered URI exactly.")
        }
        let clientState = parameters["state"]
        guard parameters["response_type"] == "code" else {
            return redirectError(
                redirectURI, state: clientState, authority: authority, error: "unsupported_response_type", suberror: "unsupported_response_type",
                "only response_type=code is supported")
        }
        guard let challenge = parameters["code_challenge"] else {
            return redirectError(
                redirectURI, state: clientState, authority: authority, error: "invalid_request", suberror: "pkce_required", "PKCE is required: send a code_challenge")
        }
        // An S256 challenge is the base64url SHA-256 digest: exactly 43 characters (RFC 7636 §4.2).
        guard challenge.utf8.count == 43, (try? Base64URL.decode(challenge))?.count == 32 else {
            return redirectError(
                redirectURI, state: clientState, authority: authority, error: "invalid_request", suberror: "malformed_code_challenge",
                "code_challenge must be 43 base64url characters, the SHA-256 of the code_verifier")
        }
        guard parameters["code_challenge_method"] == "S256" else {
            return redirectError(
                redirectURI, state: clientState, authority: authority, error: "invalid_request", suberror: "pkce_method_not_s256", "code_challenge_method must be S256")
        }
        let scopes = (parameters["scope"] ?? "").split(separator: " ").map(String.init)
        if let problem = scopeProblem(scopes) {
            return redirectError(redirectURI, state: clientState, authority: authority, error: "invalid_scope", suberror: "invalid_scope", problem)
        }
        let csrfToken = SecureRandom.token()
        let transactionID = await state.startLogin(LoginTransaction(
            clientID: clientID, redirectURI: redirectURI, scopes: scopes, state: clientState,
            nonce: parameters["nonce"], codeChallenge: challenge, csrfToken: csrfToken, createdAt: clock.now(), authority: authority
        ))
        var response = HTTPResponse.html(LoginPage.render(
            action: authorizePath(for: authority), transactionID: transactionID, csrfToken: csrfToken,
            applicationName: client.name, tenantName: tenantName(authority), message: nil
        ))
        response.setCookie(loginCookie(csrfToken, authority: authority))
        addPageHeaders(&response, formRedirectURI: redirectURI)
        return response
    }

    func submitLogin(_ request: HTTPRequest, authority: SignInAuthority) async -> HTTPResponse {
        let form: [String: String]
        do {
            form = try request.formValues()
        } catch {
            return errorPage(status: 400, code: "malformed_form", "The login form could not be read; start sign-in again from the application.")
        }
        guard let transactionID = form["transaction"], let transaction = await state.login(id: transactionID),
              transaction.authority == authority
        else {
            return errorPage(
                status: 400, code: "login_transaction_unknown", "This sign-in has expired or was already used; start sign-in again from the application.")
        }
        let cookieToken = request.cookies[Self.loginCookieName] ?? ""
        guard let formToken = form["csrf_token"],
              ConstantTime.equals(formToken, transaction.csrfToken),
              ConstantTime.equals(cookieToken, transaction.csrfToken)
        else {
            logger.warning("login form rejected: CSRF token mismatch", metadata: ["moat.request.id": request.requestID])
            return errorPage(
                status: 403, code: "csrf_token_mismatch", "The login form's anti-forgery token is missing or wrong; start sign-in again from the application.")
        }
        guard let user = authenticate(form["username"] ?? "", form["password"] ?? "", authority: authority) else {
            await state.recordFailedLogin(id: transactionID)
            logger.info("sign-in failed", metadata: ["moat.request.id": request.requestID])
            var response = HTTPResponse.html(LoginPage.render(
                action: authorizePath(for: authority), transactionID: transactionID, csrfToken: transaction.csrfToken,
                applicationName: directory.app(clientID: transaction.clientID)?.name ?? "", tenantName: tenantName(authority),
                message: "The user name or password is incorrect."
            ), status: 401)
            addPageHeaders(&response, formRedirectURI: transaction.redirectURI)
            return response
        }
        await state.finishLogin(id: transactionID)
        let code = await state.issueCode(AuthorizationCodeGrant(
            clientID: transaction.clientID, redirectURI: transaction.redirectURI, scopes: transaction.scopes,
            nonce: transaction.nonce, codeChallenge: transaction.codeChallenge, userObjectID: user.objectID, issuedAt: clock.now()
        ))
        logger.info("sign-in succeeded", metadata: [
            "moat.request.id": request.requestID, "moat.user.oid": user.objectID, "moat.user.tid": directory.tenant(of: user).id,
        ])
        var pairs = [("code", code)]
        if let clientState = transaction.state { pairs.append(("state", clientState)) }
        // RFC 9207: the issuer of the authority's discovery document, the template for `organizations`.
        pairs.append(("iss", issuer(for: authority)))
        var response = HTTPResponse.redirect(to: append(pairs, to: transaction.redirectURI), status: 303)
        var expired = loginCookie("", authority: authority)
        expired.maxAge = 0
        response.setCookie(expired)
        return response
    }

    /// Finds the user and compares password digests in constant time. A user
    /// of a tenant other than the authority's fails like a wrong password.
    private func authenticate(_ name: String, _ password: String, authority: SignInAuthority) -> Directory.User? {
        guard let user = directory.user(signInName: name), authority.admits(tenantID: directory.tenant(of: user).id) else { return nil }
        let expected = Digest.sha256(Data(user.password.utf8))
        let given = Digest.sha256(Data(password.utf8))
        return ConstantTime.equals(expected, given) ? user : nil
    }

    /// Checks that every resource scope names a registered application and one of its scopes.
    func scopeProblem(_ scopes: [String]) -> String? {
        let resourceScopes = scopes.filter { !OIDCScopes.standard.contains($0) }
        var resources = Set<String>()
        for scope in resourceScopes {
            guard let (app, name) = directory.resourceApp(forScope: scope) else {
                return "scope \(scope) does not name a registered application"
            }
            guard app.scopes.contains(name) else {
                return "application \(app.name) does not expose the scope \(name)"
            }
            resources.insert(app.clientID)
        }
        return resources.count > 1 ? "request scopes of one resource at a time" : nil
    }

    /// Returns the tenant name shown on the login page.
    private func tenantName(_ authority: SignInAuthority) -> String {
        switch authority {
        case .tenant(let id): directory.tenant(id: id)?.name ?? directory.tenant.name
        case .organizations: "any organization"
        }
    }

    private func loginCookie(_ value: String, authority: SignInAuthority) -> SetCookie {
        SetCookie(name: Self.loginCookieName, value: value, path: authorizePath(for: authority), maxAge: 600, secure: isSecure, httpOnly: true, sameSite: .strict)
    }

    func append(_ pairs: [(String, String)], to uri: String) -> String {
        uri + (uri.contains("?") ? "&" : "?") + FormEncoding.encode(pairs)
    }

    /// Sends an error back to a verified redirect URI (RFC 6749 §4.1.2.1), with a `suberror` naming the failed rule.
    private func redirectError(
        _ redirectURI: String, state: String?, authority: SignInAuthority, error: String, suberror: String, _ description: String
    ) -> HTTPResponse {
        var pairs = [("error", error), ("error_description", description), ("suberror", suberror)]
        if let state { pairs.append(("state", state)) }
        pairs.append(("iss", issuer(for: authority)))
        return .redirect(to: append(pairs, to: redirectURI), status: 303)
    }

    /// An error page shown instead of a redirect; `code` is a stable snake_case name of the failed rule.
    func errorPage(status: Int, code: String, _ message: String) -> HTTPResponse {
        var response = HTTPResponse.html(LoginPage.renderError(message, code: code), status: status)
        addPageHeaders(&response)
        return response
    }

    /// Sets the pages' security headers. `formRedirectURI` is the registered
    /// redirect URI that a successful login form submission is redirected to:
    /// browsers such as Chromium check CSP `form-action` against every redirect
    /// that follows a form submission, so its origin must be allowed too.
    func addPageHeaders(_ response: inout HTTPResponse, formRedirectURI: String? = nil) {
        var formTargets = "'self'"
        if let formRedirectURI, let url = URL(string: formRedirectURI), let scheme = url.scheme, let host = url.host {
            formTargets += " " + (url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)")
        }
        response.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action \(formTargets); frame-ancestors 'none'")
        response.headers.set("X-Frame-Options", "DENY")
    }
}

/// Scopes defined by OpenID Connect itself, as opposed to resource scopes.
enum OIDCScopes {
    static let standard: Set<String> = ["openid", "profile", "email", "offline_access"]
}
