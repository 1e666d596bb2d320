import Foundation
import MoatConfig
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import MoatLauncher

/// A test double of App Service authentication in front of a web tier with
/// `web.front_door = "app-service"`. It signs users in at the dev identity
/// provider as the web registration, as App Service does with its client id
/// and secret. Then it forwards requests with the header fields App Service
/// adds: the token store's tokens, the client principal fields and its
/// session cookie.
struct AppServiceFrontEnd {
    /// The demo directory's web registration, which App Service signs users in with.
    static let webClientID = "b1878b01-5e5c-4982-a6c3-6028279da626"
    static let webClientSecret = "moat-web-demo-secret"
    static let apiChatScope = "api://moat-api/Chat"

    /// The issuer App Service signs users in at.
    let issuer: String
    /// The app's public URL: the browser's origin and the base of the redirect URI.
    let publicURL: String
    /// Where the web tier listens.
    let webURL: String
    /// App Service's session cookie value for this user agent.
    let sessionCookie = "appservice-session-" + UUID().uuidString
    let client = HTTPClient()

    init(issuer: String, publicURL: String, webURL: String) {
        self.issuer = issuer
        self.publicURL = publicURL
        self.webURL = webURL
    }

    init(stack: PatternStack) {
        self.init(issuer: stack.issuer, publicURL: stack.gatewayURL, webURL: stack.webURL)
    }

    /// Signs `user` in with the authorization code flow and returns the token response
    /// that App Service's token store would keep.
    func signIn(_ user: String, scope: String = "openid profile offline_access \(apiChatScope)") async throws -> TokenResponse {
        let base = String(issuer.dropLast("/v2.0".count)) + "/oauth2/v2.0"
        let redirectURI = publicURL + "/auth/callback"
        let pkce = PKCE()
        let query = FormEncoding.encode([
            ("client_id", Self.webClientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("scope", scope),
            ("state", UUID().uuidString), ("nonce", UUID().uuidString), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
        ])
        let page = try await client.send(HTTPClientRequest(url: try require(URL(string: base + "/authorize?" + query))))
        let html = String(decoding: page.body, as: UTF8.self)
        let transaction = try require(hiddenField("transaction", in: html), "the login form's transaction")
        let csrf = try require(hiddenField("csrf_token", in: html), "the login form's CSRF token")
        let cookie = try require(page.headers.values(for: "Set-Cookie").first?.split(separator: ";").first, "the login page's cookie")
        let form = FormEncoding.encode([("transaction", transaction), ("csrf_token", csrf), ("username", user), ("password", "moat-demo")])
        let login = try await client.send(HTTPClientRequest(
            method: "POST", url: try require(URL(string: base + "/authorize")),
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", String(cookie))]), body: Data(form.utf8)
        ))
        let location = try require(login.headers["Location"], "the login form's redirect (HTTP \(login.status))")
        let code = try require(URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value, "the authorization code")
        let credentials = Data("\(Self.webClientID):\(Self.webClientSecret)".utf8).base64EncodedString()
        let body = FormEncoding.encode([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier),
        ])
        let response = try await client.send(HTTPClientRequest(
            method: "POST", url: try require(URL(string: base + "/token")),
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(credentials)")]),
            body: Data(body.utf8)
        ))
        guard response.status == 200 else {
            throw HarnessFailure("the token endpoint returned \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return try StrictJSON.decode(TokenResponse.self, from: response.body)
    }

    /// Returns the header fields App Service adds for a signed-in user: the client principal
    /// (`X-MS-CLIENT-PRINCIPAL*`), the token store's tokens and the session cookie.
    func headers(for tokens: TokenResponse, objectID: String) -> [(String, String)] {
        let principal = #"{"auth_typ":"aad","claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"\#(objectID)"}],"name_typ":"name","role_typ":"roles"}"#
        var fields = [
            ("X-MS-CLIENT-PRINCIPAL", Data(principal.utf8).base64EncodedString()), ("X-MS-CLIENT-PRINCIPAL-ID", objectID),
            ("X-MS-CLIENT-PRINCIPAL-NAME", "user@fabrikam.example"), ("X-MS-CLIENT-PRINCIPAL-IDP", "aad"),
            ("X-MS-TOKEN-AAD-ACCESS-TOKEN", tokens.accessToken), ("Cookie", "AppServiceAuthSession=\(sessionCookie)"),
        ]
        if let idToken = tokens.idToken {
            fields.append(("X-MS-TOKEN-AAD-ID-TOKEN", idToken))
        }
        return fields
    }

    /// Sends a request to the web tier, as App Service forwards it.
    func send(_ method: String, _ path: String, headers: [(String, String)], body: Data? = nil) async throws -> HTTPClientResponse {
        try await client.send(HTTPClientRequest(
            method: method, url: try require(URL(string: webURL + path)), headers: HTTPHeaders(headers), body: body,
            timeout: 30, maxResponseBytes: 4 << 20
        ))
    }
}

/// Reads the `oid` claim of a compact JWT without verification, which is the web tier's job.
func objectID(of token: String) throws -> String {
    let parts = token.split(separator: ".")
    guard parts.count == 3 else { throw HarnessFailure("not a compact JWT") }
    let payload = try Base64URL.decode(parts[1])
    return try require(try JSONValue.parse(payload)["oid"]?.stringValue, "the token's oid")
}
