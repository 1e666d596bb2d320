import Foundation
import MoatJOSE
import Testing

@testable import MoatGateway

@Suite("Expiring entries")
struct ExpiringEntriesTests {
    @Test("entry expires after the maximum age")
    func maxAge() {
        let entries = ExpiringEntries<String, Int>(maxAge: 60, capacity: 10)
        entries.store(1, for: "a", now: 1000)
        #expect(entries.value(for: "a", now: 1059.9) == 1)
        #expect(entries.value(for: "a", now: 1060) == nil)
    }

    @Test("earlier expiry of an entry wins")
    func earlierExpiry() {
        let entries = ExpiringEntries<String, Int>(maxAge: 60, capacity: 10)
        entries.store(1, for: "a", now: 1000, expiresAt: 1010)
        entries.store(2, for: "b", now: 1000, expiresAt: 5000)
        #expect(entries.value(for: "a", now: 1009) == 1)
        #expect(entries.value(for: "a", now: 1010) == nil)
        #expect(entries.value(for: "b", now: 1059) == 2)
        #expect(entries.value(for: "b", now: 1060) == nil)
    }

    @Test("clock stepped back counts as expired")
    func clockSteppedBack() {
        let entries = ExpiringEntries<String, Int>(maxAge: 60, capacity: 10)
        entries.store(1, for: "a", now: 1000)
        #expect(entries.value(for: "a", now: 999) == nil)
        // The read dropped the entry, so the original time does not bring it back.
        #expect(entries.value(for: "a", now: 1000) == nil)
    }

    @Test("full map drops expired entries first")
    func fullMapDropsExpired() {
        let entries = ExpiringEntries<String, Int>(maxAge: 60, capacity: 2)
        entries.store(1, for: "old", now: 1000, expiresAt: 1001)
        entries.store(2, for: "live", now: 1000)
        entries.store(3, for: "new", now: 1030)
        #expect(entries.value(for: "live", now: 1030) == 2)
        #expect(entries.value(for: "new", now: 1030) == 3)
        #expect(entries.value(for: "old", now: 1000.5) == nil)
    }

    @Test("full map of live entries starts over")
    func fullMapOfLiveEntries() {
        let entries = ExpiringEntries<String, Int>(maxAge: 60, capacity: 2)
        entries.store(1, for: "a", now: 1000)
        entries.store(2, for: "b", now: 1000)
        entries.store(3, for: "c", now: 1000)
        #expect(entries.value(for: "a", now: 1000) == nil)
        #expect(entries.value(for: "b", now: 1000) == nil)
        #expect(entries.value(for: "c", now: 1000) == 3)
    }

    @Test("verified token is trusted until its exp")
    func verifiedTokenUntilExp() throws {
        let cache = VerifiedTokenCache(maxAge: 300)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let payload = Base64URL.encode(Data("{\"exp\":\(1_800_000_100)}".utf8))
        let authorization = "Bearer eyJhbGciOiJSUzI1NiJ9.\(payload).c2ln"
        let caller = GatewayCaller(
            kind: .bearer, tenantID: "t", objectID: "o", name: nil, username: nil, clientAppID: "app",
            roles: ["Reader"], groups: [], claims: [], accessToken: nil, idToken: nil, sessionHash: nil)
        cache.store(caller, for: authorization, now: now)
        #expect(cache.caller(for: authorization, now: now.addingTimeInterval(99)) == caller)
        #expect(cache.caller(for: authorization, now: now.addingTimeInterval(100)) == nil)
        #expect(cache.caller(for: "Bearer other", now: now) == nil)
    }
}
