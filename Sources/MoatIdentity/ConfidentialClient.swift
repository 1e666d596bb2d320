import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP

/// Acquires access tokens as a confidential client application: the role
/// MSAL's `ConfidentialClientApplication` plays.
///
/// - Client credentials (RFC 6749 §4.4) and on-behalf-of (Entra ID's use of
///   RFC 7523 §2.1) tokens are cached per scope set, and for on-behalf-of per
///   incoming user token. A cached token is returned until `refreshMargin`
///   seconds before it expires; then the next caller fetches a new one.
/// - Concurrent callers that need the same token share one request (single flight).
/// - When a renewal fails while the cached token has not yet expired, the
///   cached token is returned, so a short outage at the provider does not
///   break callers.
/// - Refresh tokens are redeemed on request and never cached, because the
///   caller must store each rotated refresh token itself.
public actor ConfidentialClient {
    public let clientID: String
    public let tokenEndpoint: URL
    /// Seconds before expiry at which a cached token is renewed. Default 300, as MSAL.
    public let refreshMargin: TimeInterval
    /// Most cached tokens kept; expired entries go first, then the soonest to expire. Default 1000.
    public let maxCachedTokens: Int
    /// Token requests sent so far; tests read it to prove caching and single flight.
    public private(set) var tokenRequestCount = 0

    private let credential: ClientCredential
    private let http: HTTPClient
    private let clock: any WallClock
    private let logger: Logger
    private var cache: [CacheKey: AcquiredToken] = [:]
    private var inFlight: [CacheKey: Task<AcquiredToken, any Error>] = [:]

    public init(
        clientID: String, credential: ClientCredential, tokenEndpoint: URL, refreshMargin: TimeInterval = 300,
        maxCachedTokens: Int = 1000, http: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) {
        self.clientID = clientID
        self.credential = credential
        self.tokenEndpoint = tokenEndpoint
        self.refreshMargin = refreshMargin
        self.maxCachedTokens = maxCachedTokens
        self.http = http
        self.clock = clock
        self.logger = logger
    }

    /// Returns an app-only token for `scopes`, for example `["api://moat-api/.default"]`.
    ///
    /// - Throws: ``TokenRejection`` with `token_request_failed` and the OAuth
    ///   `error` as detail code when the provider refuses, or the transport error.
    public func acquireTokenForClient(scopes: [String]) async throws -> AcquiredToken {
        let key = CacheKey(grant: "client_credentials", scopes: scopes, subject: nil)
        return try await cachedOrRequested(key, parameters: [
            ("grant_type", "client_credentials"),
            ("scope", key.scopes),
        ])
    }

    /// Exchanges a user's access token for a token to a downstream API that
    /// still names the user (on-behalf-of flow). `userAssertion` must be a
    /// delegated token whose audience is this client.
    public func acquireTokenOnBehalfOf(userAssertion: String, scopes: [String]) async throws -> AcquiredToken {
        let digest = Digest.sha256(Data(userAssertion.utf8)).base64EncodedString()
        let key = CacheKey(grant: "on_behalf_of", scopes: scopes, subject: digest)
        return try await cachedOrRequested(key, parameters: [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("requested_token_use", "on_behalf_of"),
            ("assertion", userAssertion),
            ("scope", key.scopes),
        ])
    }

    /// Redeems a refresh token (RFC 6749 §6). The result carries the rotated
    /// refresh token, which replaces the redeemed one.
    public func acquireTokenByRefreshToken(_ refreshToken: String, scopes: [String]) async throws -> AcquiredToken {
        try await requestToken([
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("scope", CacheKey.normalized(scopes)),
        ])
    }

    /// Forgets every cached token, for example after the credential was rotated.
    public func removeCachedTokens() {
        cache.removeAll()
    }

    private func cachedOrRequested(_ key: CacheKey, parameters: [(String, String)]) async throws -> AcquiredToken {
        let cached = cache[key]
        if let cached, cached.expiresAt.timeIntervalSince(clock.now()) > refreshMargin {
            return cached
        }
        if let running = inFlight[key] {
            do {
                return try await running.value
            } catch {
                // Waiters get the same fallback as the caller that started the renewal.
                if let cached, cached.expiresAt > clock.now() { return cached }
                throw error
            }
        }
        let task = Task { try await self.requestToken(parameters) }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        do {
            let token = try await task.value
            store(token, for: key)
            return token
        } catch {
            if let cached, cached.expiresAt > clock.now() {
                logger.warning("token renewal failed, using the cached token", metadata: ["moat.client.id": clientID, "moat.error": "\(error)"])
                return cached
            }
            throw error
        }
    }

    private func store(_ token: AcquiredToken, for key: CacheKey) {
        cache[key] = token
        guard cache.count > maxCachedTokens else { return }
        let now = clock.now()
        cache = cache.filter { $0.value.expiresAt > now }
        while cache.count > maxCachedTokens, let soonest = cache.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
            cache[soonest] = nil
        }
    }

    private func requestToken(_ parameters: [(String, String)]) async throws -> AcquiredToken {
        tokenRequestCount += 1
        let requestedAt = clock.now()
        let request = try TokenRequest.make(
            endpoint: tokenEndpoint, clientID: clientID, credential: credential, parameters: parameters, now: requestedAt)
        let response = try await TokenRequest.send(request, with: http)
        logger.debug("token acquired", metadata: ["moat.client.id": clientID, "moat.token.expires_in": "\(response.expiresIn)"])
        return AcquiredToken(response, requestedAt: requestedAt)
    }
}

/// Identifies a cached token: grant, normalized scopes and, for on-behalf-of, the incoming token's digest.
struct CacheKey: Hashable, Sendable {
    let grant: String
    let scopes: String
    let subject: String?

    init(grant: String, scopes: [String], subject: String?) {
        self.grant = grant
        self.scopes = Self.normalized(scopes)
        self.subject = subject
    }

    /// Scopes sorted and space-separated, so `["b", "a"]` and `["a", "b"]` share a cache entry.
    static func normalized(_ scopes: [String]) -> String {
        Set(scopes).sorted().joined(separator: " ")
    }
}
