import Foundation
import MoatConfig
import MoatCrypto
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJSON

/// `moat token`: gets an access token from the running dev identity provider,
/// so the api can be tried with curl. Development only: it signs in with the
/// demo password through the login form, as a browser would.
public enum TokenCommand {
    public enum Subject: Sendable {
        /// A user, through authorization code + PKCE as the web tier's client.
        case user(name: String, password: String)
        /// An application, through client credentials with its secret from the directory.
        case app(name: String)
    }

    /// - Parameter tenant: the tenant id whose endpoints to use, as Entra ID's `/<tenant>/oauth2/v2.0/…`.
    ///   Default nil: the directory's home tenant. Users of another tenant sign in only at their own.
    public static func run(_ subject: Subject, configuration: MoatConfiguration, tenant: String? = nil) async throws -> TokenResponse {
        let directory = try MoatStack.loadDirectory(configuration)
        let tenantID = try signInTenant(tenant, directory: directory)
        let base = "http://\(configuration.host):\(configuration.idp.port)/\(tenantID)/oauth2/v2.0"
        guard let api = directory.app(named: "moat-api"), let apiURI = api.identifierURI ?? Optional(api.clientID) else {
            throw LaunchError("the directory has no app named moat-api")
        }
        let client = HTTPClient()
        switch subject {
        case .app(let name):
            guard let app = directory.app(named: name), let secret = app.clientSecret else {
                throw LaunchError("the directory has no confidential app named \(name)")
            }
            return try await requestToken(client, base, clientID: app.clientID, secret: secret, [
                ("grant_type", "client_credentials"), ("scope", "\(apiURI)/.default"),
            ])
        case .user(let name, let password):
            guard let web = directory.app(named: "moat-web"), let secret = web.clientSecret else {
                throw LaunchError("the directory has no confidential app named moat-web to sign in with")
            }
            let webURL = configuration.web.publicBaseURL ?? "http://\(configuration.host):\(configuration.web.port)"
            let redirectURI = webURL + "/auth/callback"
            let pkce = PKCE()
            let query = FormEncoding.encode([
                ("client_id", web.clientID), ("response_type", "code"), ("redirect_uri", redirectURI),
                ("scope", "openid profile \(apiURI)/Chat"), ("state", SecureRandom.token()),
                ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
            ])
            let page = try await send(client, HTTPClientRequest(method: "GET", url: try url(base + "/authorize?" + query)), base: base)
            let html = String(decoding: page.body, as: UTF8.self)
            guard page.status == 200, let transaction = hiddenField("transaction", in: html), let csrf = hiddenField("csrf_token", in: html),
                  let cookie = page.headers.values(for: "Set-Cookie").first?.split(separator: ";").first
            else {
                throw authorizeFailure(
                    status: page.status, location: page.headers["Location"], body: page.body, base: base, redirectURI: redirectURI,
                    customDirectory: configuration.idp.directory)
            }
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/x-www-form-urlencoded")
            headers.add("Cookie", String(cookie))
            let form = FormEncoding.encode([("transaction", transaction), ("csrf_token", csrf), ("username", name), ("password", password)])
            let login = try await client.send(HTTPClientRequest(method: "POST", url: try url(base + "/authorize"), headers: headers, body: Data(form.utf8)))
            guard login.status == 303, let location = login.headers["Location"],
                  let code = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value
            else {
                throw signInFailure(user: name, status: login.status, tenantID: tenantID, directory: directory)
            }
            return try await requestToken(client, base, clientID: web.clientID, secret: secret, [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier),
            ])
        }
    }

    private static func requestToken(_ client: HTTPClient, _ base: String, clientID: String, secret: String, _ parameters: [(String, String)]) async throws -> TokenResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        let credentials = FormEncoding.encodeComponent(clientID) + ":" + FormEncoding.encodeComponent(secret)
        headers.add("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString())
        let response = try await send(client, HTTPClientRequest(
            method: "POST", url: try url(base + "/token"), headers: headers, body: Data(FormEncoding.encode(parameters).utf8)
        ), base: base)
        guard response.status == 200 else {
            let detail = (try? JSONValue.parse(response.body))?["error_description"]?.stringValue ?? "HTTP \(response.status)"
            throw LaunchError("the token endpoint refused the request: \(detail)")
        }
        return try StrictJSON.decode(TokenResponse.self, from: response.body)
    }

    /// Sends a request to the identity provider, naming the settings to check when the connection fails.
    private static func send(_ client: HTTPClient, _ request: HTTPClientRequest, base: String) async throws -> HTTPClientResponse {
        let result: Result<HTTPClientResponse, HTTPClientError>
        do {
            result = .success(try await client.send(request))
        } catch {
            result = .failure(error)
        }
        if case .failure(let error) = result, error.code == .connectionFailed {
            throw LaunchError(
                "cannot connect to the identity provider at \(base) (\(error)); start it with `moat up` or `moat idp`, "
                    + "or set host and idp.port (MOAT_IDP_PORT) to where it runs"
            )
        }
        return try result.get()
    }

    private static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text) else { throw LaunchError("\(text) is not a valid URL; check host and idp.port") }
        return url
    }

    private static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
