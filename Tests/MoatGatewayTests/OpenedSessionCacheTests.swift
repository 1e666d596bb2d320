import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import Testing

@testable import MoatGateway

@Suite("Opened session cache")
struct OpenedSessionCacheTests {
    private let clock = ManualClock()

    private func makeGateway(idleTimeout: TimeInterval = 1800) throws -> Gateway {
        let configuration = GatewayConfiguration(
            publicBaseURL: "http://127.0.0.1:8080", upstream: try #require(URL(string: "http://127.0.0.1:9")),
            signIn: nil, bearerPolicy: nil, cookieKey: SecureRandom.bytes(count: 32), idleTimeout: idleTimeout
        )
        return try Gateway(configuration: configuration, keys: nil, assertionKey: try PrivateKey.generateEC(curve: .p256), clock: clock)
    }

    private func session(id: String = "session-1") -> GatewaySession {
        let now = Int64(clock.now().timeIntervalSince1970)
        return GatewaySession(
            id: id, tenantID: "tenant", objectID: "alice-oid", name: "Alice", username: "alice@example.test",
            roles: ["Reader"], groups: [], claims: [GatewayClaim(typ: "name", val: "Alice")], idToken: nil,
            accessToken: nil, accessTokenExpiresAt: now + 3600, refreshToken: nil, createdAt: now, lastSeen: now
        )
    }

    /// Builds a request that carries the cookies storing `session`.
    private func request(for session: GatewaySession, gateway: Gateway) throws -> HTTPRequest {
        let cookies = try gateway.sessionCookies(for: session, replacing: HTTPRequest(method: "GET", target: "/"))
        let header = cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        return HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", header)]))
    }

    @Test("second request is served from the cache")
    func secondRequestIsCached() throws {
        let gateway = try makeGateway()
        let request = try request(for: session(), gateway: gateway)
        let first = try #require(gateway.currentSessionAndCaller(request))
        let sealed = try #require(gateway.sessionCookie.sealedValue(in: request.cookies))
        let entry = try #require(gateway.openedSessions.entry(for: OpenedSessionCache.key(sealedValue: sealed), now: clock.now()))
        #expect(entry.session.id == first.session.id)

        let second = try #require(gateway.currentSessionAndCaller(request))
        #expect(second.caller == first.caller)
        #expect(second.caller.clientPrincipalHeader != nil)
    }

    @Test("cached session still expires when idle")
    func cachedSessionExpiresWhenIdle() throws {
        let gateway = try makeGateway(idleTimeout: 120)
        let request = try request(for: session(), gateway: gateway)
        #expect(gateway.currentSessionAndCaller(request) != nil)
        clock.advance(by: 121)
        #expect(gateway.currentSessionAndCaller(request) == nil)
    }

    @Test("cached session is rejected after sign-out")
    func cachedSessionRejectedAfterRevocation() throws {
        let gateway = try makeGateway()
        let signedIn = session()
        let request = try request(for: signedIn, gateway: gateway)
        #expect(gateway.currentSessionAndCaller(request) != nil)
        gateway.revoke(signedIn)
        #expect(gateway.currentSessionAndCaller(request) == nil)
    }

    @Test("tampered cookie is not cached")
    func tamperedCookieNotCached() throws {
        let gateway = try makeGateway()
        let request = try request(for: session(), gateway: gateway)
        let sealed = try #require(gateway.sessionCookie.sealedValue(in: request.cookies))
        let lastIndex = sealed.index(before: sealed.endIndex)
        let flipped = sealed[lastIndex] == "A" ? "B" : "A"
        let tampered = String(sealed[..<lastIndex]) + flipped
        let forged = HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", "moat_gw_session=1.\(tampered)")]))

        #expect(gateway.currentSessionAndCaller(forged) == nil)
        #expect(gateway.openedSessions.entry(for: OpenedSessionCache.key(sealedValue: tampered), now: clock.now()) == nil)
    }

    @Test("entry older than the maximum age is dropped")
    func oldEntryDropped() throws {
        let cache = OpenedSessionCache(maxAge: 60)
        let gateway = try makeGateway()
        let opened = session()
        let key = OpenedSessionCache.key(sealedValue: "sealed")
        cache.store(OpenedSessionCache.Entry(session: opened, caller: gateway.caller(from: opened)), for: key, now: clock.now())
        #expect(cache.entry(for: key, now: clock.now().addingTimeInterval(59)) != nil)
        #expect(cache.entry(for: key, now: clock.now().addingTimeInterval(60)) == nil)
    }

    @Test("full cache makes room for a new entry")
    func fullCacheMakesRoom() throws {
        let cache = OpenedSessionCache(maxAge: 60, capacity: 2)
        let gateway = try makeGateway()
        let opened = session()
        let caller = gateway.caller(from: opened)
        for index in 0..<3 {
            cache.store(OpenedSessionCache.Entry(session: opened, caller: caller), for: OpenedSessionCache.key(sealedValue: "sealed-\(index)"), now: clock.now())
        }
        #expect(cache.entry(for: OpenedSessionCache.key(sealedValue: "sealed-2"), now: clock.now()) != nil)
        #expect(cache.entry(for: OpenedSessionCache.key(sealedValue: "sealed-0"), now: clock.now()) == nil)
    }

    @Test("zero maximum age stores nothing")
    func zeroMaxAgeDisables() throws {
        let cache = OpenedSessionCache(maxAge: 0)
        let gateway = try makeGateway()
        let opened = session()
        let key = OpenedSessionCache.key(sealedValue: "sealed")
        cache.store(OpenedSessionCache.Entry(session: opened, caller: gateway.caller(from: opened)), for: key, now: clock.now())
        #expect(cache.entry(for: key, now: clock.now()) == nil)
    }
}
