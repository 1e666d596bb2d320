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

    @Test("fingerprint changes with every caller claim")
    func fingerprintCoversEveryClaim() {
        let base = Self.alice
        var variants: [GatewayCaller] = []
        var caller = base; caller.kind = .bearer; variants.append(caller)
        caller = base; caller.tenantID = "other"; variants.append(caller)
        caller = base; caller.objectID = "bob-oid"; variants.append(caller)
        caller = base; caller.name = nil; variants.append(caller)
        caller = base; caller.username = "alice@other.example"; variants.append(caller)
        caller = base; caller.clientAppID = "app"; variants.append(caller)
        caller = base; caller.sessionHash = "s2"; variants.append(caller)
        caller = base; caller.roles = ["Reader", "Admin"]; variants.append(caller)
        caller = base; caller.groups = []; variants.append(caller)
        // Moving text between neighbouring fields must not give the same encoding.
        caller = base; caller.roles = ["Reader", "engineering"]; caller.groups = []; variants.append(caller)
        let fingerprints = Set(([base] + variants).map(AssertionCache.fingerprint(of:)))
        #expect(fingerprints.count == variants.count + 1)

        var cached = base
        cached.assertionFingerprint = AssertionCache.fingerprint(of: base)
        #expect(AssertionCache.Key(caller: cached, method: "GET", target: "/") == AssertionCache.Key(caller: base, method: "GET", target: "/"))
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
