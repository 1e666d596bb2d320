import Foundation
import MoatCore
import MoatHTTP
import MoatJSON

/// Acquires app-only access tokens with the client credentials grant (RFC 6749
/// §4.4) and caches them until shortly before they expire.
public actor ClientCredentialsClient {
    public let tokenEndpoint: URL
    public let clientID: String
    private let clientSecret: String
    /// Requested scope, for example `api://moat-api/.default`.
    public let scope: String
    private let client: HTTPClient
    private let clock: any WallClock
    private var cached: (token: String, expiresAt: Date)?

    public init(tokenEndpoint: URL, clientID: String, clientSecret: String, scope: String, client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock()) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.client = client
        self.clock = clock
    }

    /// Returns a cached token with more than 60 seconds left, or fetches a new one.
    public func accessToken() async throws -> String {
        if let cached, cached.expiresAt.timeIntervalSince(clock.now()) > 60 {
            return cached.token
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        let credentials = FormEncoding.encodeComponent(clientID) + ":" + FormEncoding.encodeComponent(clientSecret)
        headers.add("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString())
        let body = FormEncoding.encode([("grant_type", "client_credentials"), ("scope", scope)])
        let response = try await client.send(HTTPClientRequest(method: "POST", url: tokenEndpoint, headers: headers, body: Data(body.utf8)))
        guard response.status == 200 else {
            throw TokenRejection(.tokenRequestFailed, "the token endpoint returned HTTP \(response.status) for client credentials")
        }
        let tokens = try StrictJSON.decode(TokenResponse.self, from: response.body)
        cached = (tokens.accessToken, clock.now().addingTimeInterval(TimeInterval(tokens.expiresIn)))
        return tokens.accessToken
    }
}
