import Foundation
import MoatCore
import MoatHTTP

/// Acquires app-only access tokens for one scope with a client secret: a
/// narrow front for ``ConfidentialClient``, which also supports certificate
/// credentials and the on-behalf-of flow.
public struct ClientCredentialsClient: Sendable {
    public let tokenEndpoint: URL
    public let clientID: String
    /// Requested scope, for example `api://moat-api/.default`.
    public let scope: String
    private let client: ConfidentialClient

    public init(tokenEndpoint: URL, clientID: String, clientSecret: String, scope: String, client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock()) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.scope = scope
        self.client = ConfidentialClient(
            clientID: clientID, credential: .secret(clientSecret), tokenEndpoint: tokenEndpoint, refreshMargin: 60, http: client, clock: clock)
    }

    /// Returns a cached token with more than 60 seconds left, or fetches a new one.
    public func accessToken() async throws -> String {
        try await client.acquireTokenForClient(scopes: [scope]).accessToken
    }
}
