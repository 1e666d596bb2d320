import Foundation
import MoatCore
import MoatJOSE

/// Caches an issuer's signing keys.
///
/// - Keys are fetched on first use and kept for `timeToLive`.
/// - A token signed with an unknown `kid` triggers at most one refetch per
///   `refetchCooldown`, however many such tokens arrive, so a flood of random
///   `kid` values cannot turn into a flood of requests to the provider.
/// - When a refetch fails, the cached keys stay in use and the next attempt
///   waits for `refetchCooldown`: validation keeps working while the
///   provider is down.
public actor KeySetCache {
    public let timeToLive: TimeInterval
    public let refetchCooldown: TimeInterval
    private let source: any KeySetSource
    private let clock: any WallClock
    private let logger: Logger

    private var metadata: OIDCProviderMetadata?
    private var keySet: JSONWebKeySet?
    private var fetchedAt: Date?
    private var lastAttempt: Date?
    private var inFlight: Task<JSONWebKeySet, any Error>?
    /// The last fetched key set and its fetch time, readable without entering
    /// the actor, so that verifying with fresh keys costs no actor hop.
    private let latestFetch = LockedValue<(keySet: JSONWebKeySet, fetchedAt: Date)?>(nil)
    /// Number of fetches started; tests read it to prove the cooldown holds.
    public private(set) var fetchCount = 0

    /// - Parameters:
    ///   - timeToLive: seconds before cached keys are refreshed; default 3600.
    ///   - refetchCooldown: minimum seconds between fetches caused by unknown `kid`s, and
    ///     between retries after a failed refresh; default 30.
    public init(
        source: any KeySetSource, timeToLive: TimeInterval = 3600, refetchCooldown: TimeInterval = 30,
        clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) {
        self.source = source
        self.timeToLive = timeToLive
        self.refetchCooldown = refetchCooldown
        self.clock = clock
        self.logger = logger
    }

    /// Returns the cached key set, fetching it when absent or older than the time to live.
    public func currentKeySet() async throws -> JSONWebKeySet {
        let now = clock.now()
        if let keySet, let fetchedAt, now.timeIntervalSince(fetchedAt) < timeToLive {
            return keySet
        }
        // A provider that failed the last attempt is retried once per cooldown,
        // not on every request, which would also make each request wait for it.
        if let keySet, let lastAttempt, now.timeIntervalSince(lastAttempt) < refetchCooldown {
            return keySet
        }
        do {
            return try await fetch(reason: keySet == nil ? "first use" : "time to live expired")
        } catch {
            // Stale keys are better than none while the provider is unreachable.
            if let keySet {
                logger.warning("key set refresh failed, using cached keys", metadata: ["moat.error": "\(error)"])
                return keySet
            }
            throw error
        }
    }

    /// Returns the cached key set when it is younger than the time to live,
    /// without entering the actor, or nil when ``currentKeySet()`` must decide.
    nonisolated func freshKeySet() -> JSONWebKeySet? {
        let now = clock.now()
        return latestFetch.withLock { latest in
            guard let latest, now.timeIntervalSince(latest.fetchedAt) < timeToLive else { return nil }
            return latest.keySet
        }
    }

    /// Refetches after a token named an unknown `kid`, unless a fetch happened
    /// within the cooldown. Returns the key set to retry with: the result of
    /// the fetch in flight or of a new one, or within the cooldown the cached
    /// set, which may be newer than the one the caller tried. Returns nil when
    /// the fetch failed or no keys are cached (the caller then rejects the token).
    public func keySetAfterUnknownKeyID() async -> JSONWebKeySet? {
        // Tokens signed with a newly rotated key arrive together; all of them
        // wait for the one refetch instead of being rejected by the cooldown.
        if let inFlight {
            return try? await inFlight.value
        }
        let now = clock.now()
        if let lastAttempt, now.timeIntervalSince(lastAttempt) < refetchCooldown {
            return keySet
        }
        do {
            return try await fetch(reason: "unknown kid")
        } catch {
            logger.warning("key set refetch for unknown kid failed", metadata: ["moat.error": "\(error)"])
            return nil
        }
    }

    /// The provider metadata from the last successful discovery, fetching it if needed.
    public func providerMetadata() async throws -> OIDCProviderMetadata {
        if let metadata { return metadata }
        _ = try await fetch(reason: "provider metadata requested")
        guard let metadata else {
            throw TokenRejection(.discoveryFailed, "provider metadata is unavailable")
        }
        return metadata
    }

    /// Single-flight: concurrent callers share one fetch. `reason` goes to the log, so a
    /// refetch after a key rotation or an unknown `kid` can be distinguished from the hourly refresh.
    private func fetch(reason: String) async throws -> JSONWebKeySet {
        if let inFlight {
            return try await inFlight.value
        }
        lastAttempt = clock.now()
        fetchCount += 1
        let source = self.source
        let knownMetadata = self.metadata
        let task = Task<(OIDCProviderMetadata, JSONWebKeySet), any Error> {
            let metadata: OIDCProviderMetadata
            if let knownMetadata {
                metadata = knownMetadata
            } else {
                metadata = try await source.fetchMetadata()
            }
            return (metadata, try await source.fetchKeySet(from: metadata))
        }
        let keysTask = Task<JSONWebKeySet, any Error> { try await task.value.1 }
        inFlight = keysTask
        defer { inFlight = nil }
        let (metadata, keySet) = try await task.value
        self.metadata = metadata
        self.keySet = keySet
        let fetchedAt = clock.now()
        self.fetchedAt = fetchedAt
        latestFetch.withLock { $0 = (keySet, fetchedAt) }
        logger.info(
            "key set fetched",
            metadata: ["moat.jwks.issuer": metadata.issuer, "moat.jwks.keys": "\(keySet.keys.count)", "moat.jwks.reason": reason]
        )
        return keySet
    }
}
