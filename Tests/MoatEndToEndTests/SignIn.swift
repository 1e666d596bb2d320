import Foundation
import MoatCrypto
import MoatIdentity
import MoatLauncher

extension UserAgent {
    /// Signs in at the web tier the way a browser does: web → IdP login page → IdP → web callback.
    /// Returns the chat page's CSRF token.
    func signInToWeb(_ stack: MoatStack, user: String, password: String = "moat-demo") async throws -> String {
        let start = try await send("GET", stack.webURL + "/auth/login")
        guard start.status == 303, let authorizeURL = start.location else {
            throw TestFailure("web /auth/login returned \(start.status), expected 303 to the IdP")
        }
        let loginPage = try await send("GET", authorizeURL)
        guard loginPage.status == 200,
              let transaction = hiddenField("transaction", in: loginPage.text),
              let csrf = hiddenField("csrf_token", in: loginPage.text)
        else {
            throw TestFailure("IdP login page returned \(loginPage.status) without the form")
        }
        let action = String(authorizeURL.prefix { $0 != "?" })
        let submitted = try await form(action, [("transaction", transaction), ("csrf_token", csrf), ("username", user), ("password", password)])
        guard submitted.status == 303, let callback = submitted.location else {
            throw TestFailure("IdP login returned \(submitted.status), expected 303 back to web")
        }
        let landed = try await send("GET", callback)
        guard landed.status == 303 else {
            throw TestFailure("web callback returned \(landed.status): \(landed.text)")
        }
        let home = try await send("GET", stack.webURL + "/")
        guard let token = metaContent("csrf-token", in: home.text) else {
            throw TestFailure("the chat page has no CSRF token; the session was not created")
        }
        return token
    }

    /// Asks through the web tier; returns the api's JSON reply.
    func ask(_ stack: MoatStack, _ question: String, csrfToken: String) async throws -> Reply {
        let body = try JSONSerialization.data(withJSONObject: ["question": question])
        return try await send("POST", stack.webURL + "/api/chat", headers: [
            ("Content-Type", "application/json"), ("X-CSRF-Token", csrfToken), ("Origin", stack.webURL),
        ], body: body)
    }

    /// Gets tokens straight from the IdP as the web client would (code + PKCE), for calling the api directly.
    func tokens(_ stack: MoatStack, user: String, scope: String = "openid profile offline_access api://moat-api/Chat") async throws -> TokenResponse {
        guard let web = stack.directory.app(named: "moat-web"), let secret = web.clientSecret, let redirect = web.redirectURIs.first else {
            throw TestFailure("the demo directory has no moat-web app")
        }
        let pkce = PKCE()
        let query = FormEncoding.encode([
            ("client_id", web.clientID), ("response_type", "code"), ("redirect_uri", redirect), ("scope", scope),
            ("state", "s1"), ("nonce", "n1"), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
        ])
        let authorize = stack.issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/authorize"
        let page = try await send("GET", authorize + "?" + query)
        guard let transaction = hiddenField("transaction", in: page.text), let csrf = hiddenField("csrf_token", in: page.text) else {
            throw TestFailure("IdP login page returned \(page.status)")
        }
        let submitted = try await form(authorize, [("transaction", transaction), ("csrf_token", csrf), ("username", user), ("password", "moat-demo")])
        guard let location = submitted.location, let components = URLComponents(string: location),
              let code = components.queryItems?.first(where: { $0.name == "code" })?.value
        else {
            throw TestFailure("IdP login returned \(submitted.status) without a code")
        }
        let credentials = Data("\(web.clientID):\(secret)".utf8).base64EncodedString()
        let reply = try await form(
            stack.issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/token",
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", pkce.verifier)],
            headers: [("Authorization", "Basic \(credentials)")]
        )
        guard reply.status == 200 else { throw TestFailure("token endpoint returned \(reply.status): \(reply.text)") }
        return try JSONDecoder().decode(TokenResponse.self, from: reply.body)
    }
}
