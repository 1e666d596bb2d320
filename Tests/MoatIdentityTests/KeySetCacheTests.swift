import Foundation
import MoatCore
import MoatIdentity
import MoatJOSE
import Testing

@Suite("KeySetCache")
struct KeySetCacheTests {
    let clock = ManualClock(TestKeys.start)
    let source: FakeKeySetSource
    let cache: KeySetCache

    init() throws {
        source = try FakeKeySetSource(keys: [TestKeys.signer.publicJWK])
        cache = KeySetCache(source: source, timeToLive: 3600, refetchCooldown: 30, clock: clock)
    }

    @Test("first use fetches once")
    func firstUseFetchesOnce() async throws {
        let keySet = try await cache.currentKeySet()

        #expect(keySet.keys.map(\.keyID) == ["key-1"])
        #expect(source.keySetFetches == 1)
        #expect(source.metadataFetches == 1)
    }

    @Test("concurrent callers share one fetch")
    func concurrentCallersShareOneFetch() async throws {
        source.setDelay(.milliseconds(200))

        let keyCounts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask { try await cache.currentKeySet().keys.count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }

        #expect(keyCounts == Array(repeating: 1, count: 50))
        #expect(source.keySetFetches == 1)
    }

    @Test("keys within the time to live are not refetched")
    func noRefetchWithinTimeToLive() async throws {
        _ = try await cache.currentKeySet()
        clock.advance(by: 3599)
        _ = try await cache.currentKeySet()

        #expect(source.keySetFetches == 1)
    }

    @Test("keys older than the time to live are refetched")
    func refetchAfterTimeToLive() async throws {
        _ = try await cache.currentKeySet()
        try source.serve([TestKeys.rotatedSigner.publicJWK])
        clock.advance(by: 3600)
        let keySet = try await cache.currentKeySet()

        #expect(source.keySetFetches == 2)
        #expect(keySet.keys.map(\.keyID) == ["key-2"])
    }

    @Test("metadata is fetched once and reused for refetches")
    func metadataIsReused() async throws {
        _ = try await cache.currentKeySet()
        clock.advance(by: 3600)
        _ = try await cache.currentKeySet()

        #expect(source.metadataFetches == 1)
    }

    @Test("1000 unknown kids cause one fetch")
    func unknownKeyFloodCausesOneFetch() async throws {
        _ = try await cache.currentKeySet()
        clock.advance(by: 31)
        source.setDelay(.milliseconds(50))

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<1000 {
                group.addTask { _ = await cache.keySetAfterUnknownKeyID() }
            }
        }

        #expect(source.keySetFetches == 2)
    }

    @Test("unknown kid refetch waits for the cooldown")
    func unknownKeyRefetchWaitsForCooldown() async throws {
        _ = try await cache.currentKeySet()

        clock.advance(by: 29)
        _ = await cache.keySetAfterUnknownKeyID()
        #expect(source.keySetFetches == 1)

        clock.advance(by: 2)
        _ = await cache.keySetAfterUnknownKeyID()
        #expect(source.keySetFetches == 2)

        clock.advance(by: 10)
        _ = await cache.keySetAfterUnknownKeyID()
        #expect(source.keySetFetches == 2)

        clock.advance(by: 30)
        _ = await cache.keySetAfterUnknownKeyID()
        #expect(source.keySetFetches == 3)
    }

    @Test("unknown kid refetch returns the rotated keys")
    func unknownKeyRefetchReturnsRotatedKeys() async throws {
        _ = try await cache.currentKeySet()
        try source.serve([TestKeys.signer.publicJWK, TestKeys.rotatedSigner.publicJWK])
        clock.advance(by: 31)

        let refreshed = await cache.keySetAfterUnknownKeyID()

        #expect(refreshed?.keys.map(\.keyID) == ["key-1", "key-2"])
    }

    @Test("failing refresh keeps serving cached keys")
    func failingRefreshKeepsCachedKeys() async throws {
        _ = try await cache.currentKeySet()
        source.setFailing(true)
        clock.advance(by: 3601)

        let keySet = try await cache.currentKeySet()

        #expect(keySet.keys.map(\.keyID) == ["key-1"])
        #expect(source.keySetFetches == 2)
    }

    @Test("failed refresh retried once per cooldown")
    func failingRefreshRespectsCooldown() async throws {
        _ = try await cache.currentKeySet()
        source.setFailing(true)
        clock.advance(by: 3601)

        for _ in 0..<100 {
            _ = try await cache.currentKeySet()
        }
        #expect(source.keySetFetches == 2)

        clock.advance(by: 30)
        _ = try await cache.currentKeySet()
        #expect(source.keySetFetches == 3)
    }

    @Test("failing first fetch throws")
    func failingFirstFetchThrows() async throws {
        source.setFailing(true)

        await #expect(throws: FakeKeySetSource.Outage.self) {
            _ = try await cache.currentKeySet()
        }
    }

    @Test("failing unknown kid refetch returns nil")
    func failingUnknownKeyRefetchReturnsNil() async throws {
        _ = try await cache.currentKeySet()
        source.setFailing(true)
        clock.advance(by: 31)

        let refreshed = await cache.keySetAfterUnknownKeyID()

        #expect(refreshed == nil)
    }
}
