import Foundation
import MoatCore
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A ``DevIdentityProvider`` on a manual clock, driven through `respond(to:)`
/// without a server, with helpers that act as a browser and as clients.
struct IdentityProviderHarness {
    static let baseURL = "https://idp.example"

    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    let directory: Directory
    let provider: DevIdentityProvider

    init() throws {
        try self.init(directory: TestDirectory.directory.get())
    }

    /// Drives an existing provider, for example one also served over HTTP; its own clock applies.
    init(provider: DevIdentityProvider, directory: Directory) {
        self.directory = directory
        self.provider = provider
    }

    init(directory: Directory) throws {
        try self.init(directory: directory, signer: TestDirectory.signer.get())
    }

    /// Creates a provider that starts with `signer`, for example one loaded from a key file,
    /// and keeps refresh tokens in `refreshGrants` when given.
    init(directory: Directory, signer: JWTSigner, refreshGrants: RefreshGrantFile? = nil) {
        self.directory = directory
        provider = DevIdentityProvider(directory: directory, signer: signer, baseURL: Self.baseURL, refreshGrants: refreshGrants, clock: clock)
    }

    var tenantID: String { directory.tenant.id }
    var issuer: String { "\(Self.baseURL)/\(tenantID)/v2.0" }
    var authorizePath: String { "/\(tenantID)/oauth2/v2.0/authorize" }
    var tokenPath: String { "/\(tenantID)/oauth2/v2.0/token" }

    func app(_ name: String) throws -> Directory.App {
        guard let app = directory.app(named: name) else { throw HarnessFailure("no app \(name) in the test directory") }
        return app
    }

    func user(_ name: String) throws -> Directory.User {
        guard let user = directory.user(signInName: name) else { throw HarnessFailure("no user \(name) in the test directory") }
        return user
    }

    // MARK: Requests

    func get(_ path: String, query: [(String, String)] = []) async -> HTTPResponse {
        let target = query.isEmpty ? path : path + "?" + FormEncoding.encode(query)
        return await provider.respond(to: HTTPRequest(method: "GET", target: target))
    }

    func post(_ target: String, form: [(String, String)], headers: [(String, String)] = []) async -> HTTPResponse {
        let request = HTTPRequest(
            method: "POST",
            target: target,
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")] + headers),
            body: Data(FormEncoding.encode(form).utf8)
        )
        return await provider.respond(to: request)
    }

    // MARK: Authorization endpoint

    /// Returns a valid authorization request for `client`. Tests change single parameters with `setting`.
    func authorizeParameters(
        client: Directory.App, pkce: PKCE, scope: String = "openid profile offline_access api://moat-api/Chat",
        nonce: String = "n-0S6_WzA2Mj", state: String = "af0ifjsldkj"
    ) -> [(String, String)] {
        [
            ("client_id", client.clientID),
            ("response_type", "code"),
            ("redirect_uri", client.redirectURIs.first ?? ""),
            ("scope", scope),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", "S256"),
        ]
    }

    /// The hidden fields and cookie of a login page.
    struct LoginForm {
        var transactionID: String
        var csrfToken: String
        /// Value of the `moat_idp_login` cookie the page set.
        var cookie: String
    }

    func openLogin(_ parameters: [(String, String)]) async throws -> LoginForm {
        let page = await get(authorizePath, query: parameters)
        guard page.status == 200 else { throw HarnessFailure("login page returned \(page.status): \(page.text)") }
        guard let transactionID = page.hiddenField("transaction"), let csrfToken = page.hiddenField("csrf_token") else {
            throw HarnessFailure("login page has no transaction or csrf_token field")
        }
        guard let cookie = page.cookie("moat_idp_login") else {
            throw HarnessFailure("login page set no moat_idp_login cookie")
        }
        return LoginForm(transactionID: transactionID, csrfToken: csrfToken, cookie: cookie)
    }

    /// Which login cookie a form post carries.
    enum LoginCookie {
        case fromPage
        case absent
        case value(String)
    }

    /// Posts the login form the way a browser does, with the page's anti-forgery token unless `csrfToken` overrides it.
    func submitLogin(
        _ form: LoginForm, username: String, password: String = "moat-demo", csrfToken: String? = nil, cookie: LoginCookie = .fromPage
    ) async -> HTTPResponse {
        var headers: [(String, String)] = []
        switch cookie {
        case .fromPage: headers.append(("Cookie", "moat_idp_login=\(form.cookie)"))
        case .absent: break
        case .value(let value): headers.append(("Cookie", "moat_idp_login=\(value)"))
        }
        return await post(authorizePath, form: [
            ("transaction", form.transactionID),
            ("csrf_token", csrfToken ?? form.csrfToken),
            ("username", username),
            ("password", password),
        ], headers: headers)
    }

    /// Signs `user` in at `client` and returns the authorization code from the redirect.
    func authorizationCode(client: Directory.App, user: String, pkce: PKCE, scope: String? = nil, nonce: String = "n-0S6_WzA2Mj") async throws -> String {
        var parameters = authorizeParameters(client: client, pkce: pkce, nonce: nonce)
        if let scope { parameters = parameters.setting("scope", scope) }
        let form = try await openLogin(parameters)
        let response = await submitLogin(form, username: user)
        guard response.status == 303, let code = response.locationQuery["code"] else {
            throw HarnessFailure("login returned \(response.status) without a code: \(response.headers["Location"] ?? "")")
        }
        return code
    }

    // MARK: Token endpoint

    /// HTTP Basic credentials for a confidential client (RFC 6749 §2.3.1).
    static func basic(_ client: Directory.App, secret: String? = nil) -> (String, String) {
        let credentials = FormEncoding.encodeComponent(client.clientID) + ":" + FormEncoding.encodeComponent(secret ?? client.clientSecret ?? "")
        return ("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString())
    }

    /// Sends a token request authenticated as `client`: HTTP Basic for a
    /// confidential client, `client_id` in the body for a public one.
    func token(_ form: [(String, String)], client: Directory.App) async -> HTTPResponse {
        if client.clientSecret != nil {
            return await post(tokenPath, form: form, headers: [Self.basic(client)])
        }
        return await post(tokenPath, form: form + [("client_id", client.clientID)])
    }

    func redeem(code: String, client: Directory.App, verifier: String, redirectURI: String? = nil) async -> HTTPResponse {
        await token([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI ?? client.redirectURIs.first ?? ""),
            ("code_verifier", verifier),
        ], client: client)
    }

    func refresh(_ refreshToken: String, client: Directory.App) async -> HTTPResponse {
        await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)], client: client)
    }

    /// Signs in and redeems the code; returns the token response members.
    func signInTokens(client: Directory.App, user: String, scope: String? = nil, nonce: String = "n-0S6_WzA2Mj") async throws -> JSONObject {
        let pkce = PKCE()
        let code = try await authorizationCode(client: client, user: user, pkce: pkce, scope: scope, nonce: nonce)
        let response = await redeem(code: code, client: client, verifier: pkce.verifier)
        guard response.status == 200 else { throw HarnessFailure("token endpoint returned \(response.status): \(response.text)") }
        return try response.jsonObject()
    }
}

extension [(String, String)] {
    /// Replaces the value of `name`, appends it when absent, or removes it when `value` is nil.
    func setting(_ name: String, _ value: String?) -> [(String, String)] {
        var pairs = filter { $0.0 != name }
        if let value {
            if let index = firstIndex(where: { $0.0 == name }) {
                pairs.insert((name, value), at: index)
            } else {
                pairs.append((name, value))
            }
        }
        return pairs
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func jsonObject() throws -> JSONObject {
        guard let object = try JSONValue.parse(body).objectValue else { throw HarnessFailure("response body is not a JSON object") }
        return object
    }

    /// The OAuth `error` member of a JSON error response.
    var oauthError: String? { (try? jsonObject())?["error"]?.stringValue }

    /// Query parameters of the `Location` header.
    var locationQuery: [String: String] {
        guard let location = headers["Location"], let components = URLComponents(string: location) else { return [:] }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] where result[item.name] == nil {
            result[item.name] = item.value ?? ""
        }
        return result
    }

    func hiddenField(_ name: String) -> String? {
        let marker = "name=\"\(name)\" value=\""
        guard let start = text.range(of: marker) else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    func cookie(_ name: String) -> String? {
        for header in headers.values(for: "Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            if pair.hasPrefix(name + "=") {
                return String(pair.dropFirst(name.count + 1))
            }
        }
        return nil
    }
}

/// Decodes a JWT's claims without verifying it; tests that need the
/// signature checked use ``AccessTokenValidator``.
func unverifiedClaims(_ token: String) throws -> JSONObject {
    let parsed = try CompactJWS.parse(token)
    guard let claims = try JSONValue.parse(parsed.payload).objectValue else { throw HarnessFailure("JWT payload is not a JSON object") }
    return claims
}
