import Foundation
import MoatCore
import Testing

@testable import MoatGateway

@Suite("Assertion cache")
struct AssertionCacheTests {
    private static let alice = GatewayCaller(
        kind: .session, tenantID: "tenant", objectID: "alice-oid", name: "Alice", username: "alice@example.com",
        clientAppID: nil, roles: ["Reader"], groups: ["engineering"], claims: [], accessToken: nil, idToken: nil, sessionHash: "s1"
    )

    /// Signs numbered assertions and counts the calls.
    private final class CountingSigner: @unchecked Sendable {
        // @unchecked: used from one test at a time.
        var count = 0
        func sign() -> String {
            count += 1
            return "assertion-\(count)"
        }
    }

    @Test("same caller and target reuse the assertion")
    func reusedWithinWindow() {
        let cache = AssertionCache(reuseWindow: 15)
        let signer = CountingSigner()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let key = AssertionCache.Key(caller: Self.alice, method: "GET", target: "/reports")
        let first = cache.assertion(for: key, now: start, sign: signer.sign)
        let second = cache.assertion(for: key, now: start.addingTimeInterval(14), sign: signer.sign)
        #expect(first == second)
        #expect(signer.count == 1)
    }

    @Test("another target, method or role gets a new assertion")
    func differentClaimsSignAgain() {
        let cache = AssertionCache(reuseWindow: 15)
        let signer = CountingSigner()
        let now = Date(timeIntervalSince1970: 1_000_000)
        var admin = Self.alice
        admin.roles = ["Reader", "Admin"]
        let keys = [
            AssertionCache.Key(caller: Self.alice, method: "GET", target: "/reports"),
            AssertionCache.Key(caller: Self.alice, method: "GET", target: "/reports?year=2026"),
            AssertionCache.Key(caller: Self.alice, method: "POST", target: "/reports"),
            AssertionCache.Key(caller: admin, method: "GET", target: "/reports"),
        ]
        let assertions = keys.map { cache.assertion(for: $0, now: now, sign: signer.sign) }
        #expect(Set(assertions).count == keys.count)
        #expect(signer.count == keys.count)
    }

    @Test("assertion older than the window is replaced")
    func expiredEntrySignsAgain() {
        let cache = AssertionCache(reuseWindow: 15)
        let signer = CountingSigner()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let key = AssertionCache.Key(caller: Self.alice, method: "GET", target: "/")
        let first = cache.assertion(for: key, now: start, sign: signer.sign)
        let later = cache.assertion(for: key, now: start.addingTimeInterval(15), sign: signer.sign)
        // A clock that went back must not revive an entry either.
        let earlier = cache.assertion(for: key, now: start.addingTimeInterval(-1), sign: signer.sign)
        #expect(first != later)
        #expect(later != earlier)
        #expect(signer.count == 3)
    }

    @Test("zero window signs every request")
    func zeroWindowNeverReuses() {
        let cache = AssertionCache(reuseWindow: 0)
        let signer = CountingSigner()
        let now = Date(timeIntervalSince1970: 1_000_000)
        let key = AssertionCache.Key(caller: Self.alice, method: "GET", target: "/")
        _ = cache.assertion(for: key, now: now, sign: signer.sign)
        _ = cache.assertion(for: key, now: now, sign: signer.sign)
        #expect(signer.count == 2)
    }
}
