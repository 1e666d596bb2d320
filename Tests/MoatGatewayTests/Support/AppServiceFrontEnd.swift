import Foundation
import MoatConfig
import MoatCore
import MoatDevIdP
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
///
/// Like App Service's token store, it keeps the tokens of the last sign-in for
/// its one session, and ``refresh()`` plays `GET /.auth/refresh`.
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
    /// The token store of this session: the token response of the last sign-in or refresh.
    let tokenStore = LockedValue<TokenResponse?>(nil)
    /// The identity provider's signing key file, which ``expireStoredTokens()`` signs with, or nil when unknown.
    var identityProviderSigningKey: URL?

    init(issuer: String, publicURL: String, webURL: String) {
        self.issuer = issuer
        self.publicURL = publicURL
        self.webURL = webURL
    }

    init(stack: PatternStack) {
        self.init(issuer: stack.issuer, publicURL: stack.gatewayURL, webURL: stack.webURL)
    }

    /// The identity provider's OAuth 2.0 endpoints, `…/oauth2/v2.0`.
    var oauthBase: String { String(issuer.dropLast("/v2.0".count)) + "/oauth2/v2.0" }

    /// The tokens in the token store, or nil before sign-in.
    var storedTokens: TokenResponse? { tokenStore.current }

    /// Signs `user` in with the authorization code flow, keeps the token response in the
    /// token store, and returns it.
    @discardableResult
    func signIn(_ user: String, scope: String = "openid profile offline_access \(apiChatScope)") async throws -> TokenResponse {
        let base = oauthBase
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
        let response = try await requestTokens([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier),
        ])
        guard response.status == 200 else {
            throw HarnessFailure("the token endpoint returned \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        let tokens = try StrictJSON.decode(TokenResponse.self, from: response.body)
        tokenStore.withLock { $0 = tokens }
        return tokens
    }

    /// Plays App Service's `GET /.auth/refresh`: redeems the stored refresh token at the
    /// identity provider with the web registration's credentials, keeps the new tokens and
    /// returns 200. Returns 401 when the store contains no refresh token (the sign-in did not
    /// request `offline_access`) or the identity provider refuses it; the store is then unchanged.
    func refresh() async throws -> Int {
        guard let stored = storedTokens, let refreshToken = stored.refreshToken else { return 401 }
        let response = try await requestTokens([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
        guard response.status == 200 else { return 401 }
        var tokens = try StrictJSON.decode(TokenResponse.self, from: response.body)
        // An issuer that does not rotate refresh tokens omits the member, and the old one stays valid.
        tokens.refreshToken = tokens.refreshToken ?? refreshToken
        tokens.idToken = tokens.idToken ?? stored.idToken
        tokenStore.withLock { $0 = tokens }
        return 200
    }

    /// Stands in for the hour after which the stored tokens expire: replaces the stored access
    /// and ID tokens with copies whose `exp` passed 10 minutes ago (`iat` and `nbf` an hour
    /// before that), signed with the identity provider's key (``identityProviderSigningKey``).
    /// Every other claim stays the same, so expiry is the tokens' only fault.
    func expireStoredTokens() throws {
        let signer = try SigningKeyStore.load(at: try require(identityProviderSigningKey, "the identity provider's signing key file"))
        let tokens = try require(storedTokens, "the stored tokens")
        var expired = tokens
        expired.accessToken = try Self.expiredCopy(of: tokens.accessToken, signer: signer)
        expired.idToken = try tokens.idToken.map { try Self.expiredCopy(of: $0, signer: signer) }
        tokenStore.withLock { $0 = expired }
    }

    private static func expiredCopy(of token: String, signer: JWTSigner) throws -> String {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { throw HarnessFailure("not a compact JWT") }
        var claims = try require(try JSONValue.parse(try Base64URL.decode(parts[1])).objectValue, "the token's claims")
        let expiredAt = Int64(Date().timeIntervalSince1970) - 600
        claims["exp"] = .integer(expiredAt)
        claims["iat"] = .integer(expiredAt - 3600)
        claims["nbf"] = .integer(expiredAt - 3600)
        return try signer.sign(claims: claims)
    }

    /// Posts a form to the token endpoint, authenticated as the web registration (`client_secret_basic`).
    private func requestTokens(_ form: [(String, String)]) async throws -> HTTPClientResponse {
        let credentials = Data("\(Self.webClientID):\(Self.webClientSecret)".utf8).base64EncodedString()
        return try await client.send(HTTPClientRequest(
            method: "POST", url: try require(URL(string: oauthBase + "/token")),
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(credentials)")]),
            body: Data(FormEncoding.encode(form).utf8)
        ))
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
