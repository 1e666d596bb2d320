import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP

/// Remembers the renewal made for a sealed session cookie, so that requests
/// that still carry the old cookie get the same new cookies instead of a
/// fresh seal each.
///
/// A client that sends several requests at once, or a benchmark that never
/// stores `Set-Cookie`, keeps presenting a cookie whose `lastSeen` is past the
/// renewal interval. Without this cache every such request would encrypt the
/// session again and send new `Set-Cookie` fields.
///
/// An entry is keyed like ``OpenedSessionCache``: by the SHA-256 of the old
/// sealed value (all pieces joined), so only exactly the same cookie bytes
/// find it. It also records how many pieces the request carried, because the
/// renewal deletes pieces beyond the new count. An entry is reused while its
/// renewal is younger than the renewal interval, so a reused cookie's
/// `lastSeen` is at most that interval old, as a fresh renewal one interval
/// earlier would have been. The caller checks the timeouts and the revocation
/// list before asking, so a revoked session never gets a reused renewal. The
/// cache keeps at most `capacity` entries and drops the stale ones, or all,
/// when full.
final class SessionRenewalCache: Sendable {
    struct Entry {
        var cookies: [SetCookie]
        var previousPieceCount: Int
    }

    private let entries: ExpiringEntries<SHA256Digest, Entry>

    /// - Parameters:
    ///   - reuseInterval: seconds a renewal is reused; 0 disables the cache.
    ///   - capacity: entries kept; default 1000.
    init(reuseInterval: Int64, capacity: Int = 1000) {
        entries = ExpiringEntries(maxAge: TimeInterval(reuseInterval), capacity: capacity)
    }

    /// Returns the cookies of a renewal made for `key` less than
    /// `reuseInterval` seconds before `now`, for a request with the same piece count.
    func cookies(for key: SHA256Digest, previousPieceCount: Int, now: Int64) -> [SetCookie]? {
        guard let entry = entries.value(for: key, now: TimeInterval(now)), entry.previousPieceCount == previousPieceCount else {
            return nil
        }
        return entry.cookies
    }

    /// Stores the cookies of a renewal made at `renewedAt` (the renewed session's
    /// `lastSeen`, in Unix seconds) for the sealed value behind `key`.
    func store(_ cookies: [SetCookie], for key: SHA256Digest, previousPieceCount: Int, renewedAt: Int64) {
        entries.store(Entry(cookies: cookies, previousPieceCount: previousPieceCount), for: key, now: TimeInterval(renewedAt))
    }
}
