import Foundation
import MoatCore
import MoatHTTP
import MoatJOSE
import MoatJSON

/// Looks up a user's groups with Microsoft Graph's
/// `POST {graph}/v1.0/users/{oid}/getMemberObjects`, as Entra ID's group
/// overage guidance describes, with an app-only token that carries
/// `GroupMember.Read.All` or `Directory.Read.All`.
///
/// The Graph base URL is configured, never taken from the token's
/// `_claim_sources`, so a token cannot make the API call a host of its choosing.
/// Results are cached per user for `cacheLifetime` seconds.
public actor GraphGroupResolver: GroupMembershipResolver {
    public let graphBaseURL: URL
    /// Scope of the app-only token, for example `https://graph.microsoft.com/.default`.
    public let scope: String
    /// Seconds a user's groups are reused before the next lookup. Default 300.
    public let cacheLifetime: TimeInterval
    /// Lookups sent to Graph so far; tests read it to prove caching.
    public private(set) var lookupCount = 0

    private let tokens: ConfidentialClient
    private let http: HTTPClient
    private let clock: any WallClock
    private var cache: [String: (groups: [String], fetchedAt: Date)] = [:]

    public init(
        graphBaseURL: URL, tokens: ConfidentialClient, scope: String = "https://graph.microsoft.com/.default",
        cacheLifetime: TimeInterval = 300, http: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock()
    ) {
        self.graphBaseURL = graphBaseURL
        self.tokens = tokens
        self.scope = scope
        self.cacheLifetime = cacheLifetime
        self.http = http
        self.clock = clock
    }

    public func groupObjectIDs(tenantID: String, objectID: String) async throws -> [String] {
        let key = "\(tenantID):\(objectID)"
        if let cached = cache[key], clock.now().timeIntervalSince(cached.fetchedAt) < cacheLifetime {
            return cached.groups
        }
        // A GUID cannot carry `/`, `?` or `..` into the request path.
        guard IssuerPattern.isGUID(objectID) else {
            throw TokenRejection(.groupResolutionFailed, "object id \(objectID.prefix(64)) is not a GUID")
        }
        let token = try await tokens.acquireTokenForClient(scopes: [scope])
        let url = graphBaseURL.appendingPathComponent("v1.0/users/\(objectID)/getMemberObjects")
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer \(token.accessToken)")
        headers.add("Content-Type", "application/json")
        headers.add("Accept", "application/json")
        lookupCount += 1
        let response = try await http.send(HTTPClientRequest(
            method: "POST", url: url, headers: headers, body: Data(#"{"securityEnabledOnly":false}"#.utf8),
            timeout: 5, maxResponseBytes: 1 << 20))
        guard response.status == 200 else {
            throw TokenRejection(.groupResolutionFailed, "getMemberObjects for \(objectID) returned HTTP \(response.status)")
        }
        let groups = try Self.parse(response.body)
        if cache.count > 10_000 {
            let now = clock.now()
            cache = cache.filter { now.timeIntervalSince($0.value.fetchedAt) < cacheLifetime }
        }
        cache[key] = (groups, clock.now())
        return groups
    }

    /// Reads `{"value": ["<id>", …]}`; any other shape is an error.
    static func parse(_ body: Data) throws -> [String] {
        let document = try JSONValue.parse(body, limits: JSONLimits(maxDepth: 4, maxBytes: 1 << 20))
        guard let values = document["value"]?.arrayValue else {
            throw TokenRejection(.groupResolutionFailed, "getMemberObjects response has no \"value\" array")
        }
        let groups = values.compactMap(\.stringValue)
        guard groups.count == values.count else {
            throw TokenRejection(.groupResolutionFailed, "getMemberObjects response \"value\" is not an array of strings")
        }
        return groups
    }
}
