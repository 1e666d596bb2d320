import Foundation
import MoatCrypto
import MoatHTTP

/// Refreshes of one session cookie that arrive together share one token request.
///
/// An identity provider that rotates refresh tokens may revoke a token's
/// whole family when an old one comes back, as `moat idp` does and the OAuth
/// 2.0 Security Best Current Practice (RFC 9700) recommends. Two browser tabs
/// that call `/.auth/refresh` at the same moment carry the same cookie, so
/// the second request would present the rotated token again and sign the
/// user out. Here the second caller waits for the first refresh and gets the
/// same new cookies, for up to ``reuseWindow`` seconds after it started. A
/// failed refresh is not reused.
///
/// Only requests with exactly the same sealed cookie (the key of
/// ``OpenedSessionCache``) share a refresh, and the caller checks the
/// session's timeouts and revocation first. Refreshes on other gateway
/// processes are not shared.
actor SessionRefreshes {
    /// The new cookies and the access token's lifetime in seconds.
    struct Outcome: Sendable {
        let cookies: [SetCookie]
        let expiresIn: Int
    }

    /// Seconds a finished refresh is handed to later requests with the old cookie.
    static let reuseWindow: TimeInterval = 30

    private var flights: [SHA256Digest: (task: Task<Outcome?, Never>, startedAt: Date)] = [:]

    /// Returns the outcome of the refresh for `key` that started within
    /// ``reuseWindow`` of `now`, or runs `refresh` and returns its outcome.
    /// A nil outcome means the refresh failed.
    func outcome(for key: SHA256Digest, now: Date, refresh: @escaping @Sendable () async -> Outcome?) async -> Outcome? {
        flights = flights.filter { now.timeIntervalSince($0.value.startedAt) < Self.reuseWindow }
        if let flight = flights[key] {
            return await flight.task.value
        }
        let task = Task { await refresh() }
        flights[key] = (task, now)
        let outcome = await task.value
        if outcome == nil, flights[key]?.task == task {
            flights[key] = nil
        }
        return outcome
    }
}
