import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import Testing

@testable import MoatGateway

@Suite("Session renewal reuse")
struct SessionRenewalCacheTests {
    private let clock = ManualClock()

    private func makeGateway() throws -> Gateway {
        let configuration = GatewayConfiguration(
            publicBaseURL: "http://127.0.0.1:8080", upstream: try #require(URL(string: "http://127.0.0.1:9")),
            signIn: nil, bearerPolicy: nil, cookieKey: SecureRandom.bytes(count: 32)
        )
        return try Gateway(configuration: configuration, keys: nil, assertionKey: try PrivateKey.generateEC(curve: .p256), clock: clock)
    }

    /// Builds a request with a session whose `lastSeen` is `age` seconds ago.
    private func request(lastSeenAgo age: Int64, gateway: Gateway) throws -> (HTTPRequest, GatewaySession) {
        let now = Int64(clock.now().timeIntervalSince1970)
        let session = GatewaySession(
            id: "session-1", tenantID: "tenant", objectID: "alice-oid", name: "Alice", username: "alice@example.test",
            roles: [], groups: [], claims: [], idToken: nil, accessToken: nil, accessTokenExpiresAt: now + 3600,
            refreshToken: nil, createdAt: now - age, lastSeen: now - age
        )
        let cookies = try gateway.sessionCookies(for: session, replacing: HTTPRequest(method: "GET", target: "/"))
        let header = cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        return (HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", header)])), session)
    }

    private func renewalCookies(_ gateway: Gateway, _ request: HTTPRequest) -> [SetCookie]? {
        guard case .authenticated(_, let cookies)? = gateway.authenticateImmediately(request) else { return nil }
        return cookies
    }

    @Test("recent session gets no renewal")
    func recentSessionNotRenewed() throws {
        let gateway = try makeGateway()
        let (request, _) = try request(lastSeenAgo: 10, gateway: gateway)
        let cookies = try #require(renewalCookies(gateway, request))
        #expect(cookies.isEmpty)
    }

    @Test("same old cookie reuses the renewal")
    func sameCookieReusesRenewal() throws {
        let gateway = try makeGateway()
        let (request, _) = try request(lastSeenAgo: 120, gateway: gateway)
        let first = try #require(renewalCookies(gateway, request))
        #expect(!first.isEmpty)

        clock.advance(by: 30)
        let second = try #require(renewalCookies(gateway, request))
        #expect(second.map(\.headerValue) == first.map(\.headerValue))
    }

    @Test("renewal older than the interval is made again")
    func staleRenewalIsRemade() throws {
        let gateway = try makeGateway()
        let (request, _) = try request(lastSeenAgo: 120, gateway: gateway)
        let first = try #require(renewalCookies(gateway, request))

        clock.advance(by: TimeInterval(Gateway.renewalInterval))
        let second = try #require(renewalCookies(gateway, request))
        #expect(!second.isEmpty)
        #expect(second.map(\.value) != first.map(\.value))
    }

    @Test("reused renewal opens to a fresh lastSeen")
    func reusedRenewalIsFresh() throws {
        let gateway = try makeGateway()
        let (request, _) = try request(lastSeenAgo: 120, gateway: gateway)
        let renewedAt = Int64(clock.now().timeIntervalSince1970)
        _ = try #require(renewalCookies(gateway, request))
        clock.advance(by: 5)
        let reused = try #require(renewalCookies(gateway, request))

        let header = reused.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        let renewedRequest = HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", header)]))
        let session = try #require(gateway.currentSession(renewedRequest))
        #expect(session.lastSeen == renewedAt)
    }

    @Test("revoked session gets no reused renewal")
    func revokedSessionNotRenewed() throws {
        let gateway = try makeGateway()
        let (request, session) = try request(lastSeenAgo: 120, gateway: gateway)
        _ = try #require(renewalCookies(gateway, request))
        gateway.revoke(session)
        #expect(renewalCookies(gateway, request) == nil)
    }

    @Test("different piece count is not reused")
    func differentPieceCountNotReused() {
        let cache = SessionRenewalCache(reuseInterval: 60)
        let key = OpenedSessionCache.key(sealedValue: "sealed")
        cache.store([SetCookie(name: "moat_gw_session", value: "v")], for: key, previousPieceCount: 1, renewedAt: 1000)
        #expect(cache.cookies(for: key, previousPieceCount: 1, now: 1059) != nil)
        #expect(cache.cookies(for: key, previousPieceCount: 2, now: 1059) == nil)
        #expect(cache.cookies(for: key, previousPieceCount: 1, now: 1060) == nil)
    }
}
