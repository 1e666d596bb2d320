import Foundation
import MoatCore
import MoatCrypto
import MoatIdentity

/// A signed-in browser session, kept on the server. The cookie carries only
/// the sealed session id, so tokens never reach the browser and signing out
/// ends the session everywhere.
struct WebSession: Sendable {
    var user: SignedInUser
    var accessToken: String
    var accessTokenExpiresAt: Date
    var refreshToken: String?
    var idToken: String?
    /// Per-session anti-CSRF token, sent by the page in `X-CSRF-Token` or a form field.
    var csrfToken: String
    var createdAt: Date
    var lastSeen: Date
}

actor SessionStore {
    private var sessions: [String: WebSession] = [:]
    private let clock: any WallClock
    private let idleTimeout: TimeInterval
    private let absoluteTimeout: TimeInterval

    init(clock: any WallClock, idleTimeout: TimeInterval, absoluteTimeout: TimeInterval) {
        self.clock = clock
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    /// Creates a session under a fresh random id (never one the browser proposed).
    func create(_ session: WebSession) -> String {
        purgeExpired()
        let id = SecureRandom.token()
        sessions[id] = session
        return id
    }

    /// The live session for `id`, touching its idle timer; nil when absent or expired.
    func session(id: String) -> WebSession? {
        let now = clock.now()
        guard var session = sessions[id] else { return nil }
        guard now.timeIntervalSince(session.lastSeen) < idleTimeout, now.timeIntervalSince(session.createdAt) < absoluteTimeout else {
            sessions[id] = nil
            return nil
        }
        session.lastSeen = now
        sessions[id] = session
        return session
    }

    func update(id: String, _ change: (inout WebSession) -> Void) {
        guard var session = sessions[id] else { return }
        change(&session)
        sessions[id] = session
    }

    func remove(id: String) {
        sessions[id] = nil
    }

    private func purgeExpired() {
        let now = clock.now()
        sessions = sessions.filter {
            now.timeIntervalSince($0.value.lastSeen) < idleTimeout && now.timeIntervalSince($0.value.createdAt) < absoluteTimeout
        }
    }
}
