import Foundation
import MoatCore

/// Reuses a signed assertion for requests that would get the same claims,
/// because an ES256 signature per request was about a seventh of the
/// gateway's CPU time.
///
/// The key is everything the assertion states except its times and `jti`:
/// the caller's identity, roles, groups, session hash, and the request's
/// method and target (`htm`, `htu`). So a reused assertion never names
/// another caller or another request target. An assertion is reused for
/// ``reuseWindow`` seconds after it was issued, so the upstream always gets
/// one with at least `lifetime - reuseWindow` seconds left. Reuse never skips
/// authentication: the gateway checks the session or token of every request
/// before it requests an assertion. As a consequence `jti` names an assertion,
/// not a request. The cache holds at most ``capacity`` entries and drops
/// expired ones, or all, when full.
final class AssertionCache: Sendable {
    /// The claims of an assertion apart from its times and `jti`.
    struct Key: Hashable {
        var kind: GatewayCaller.Kind
        var tenantID: String
        var objectID: String
        var name: String?
        var username: String?
        var clientAppID: String?
        var sessionHash: String?
        var roles: [String]
        var groups: [String]
        var method: String
        var target: String

        init(caller: GatewayCaller, method: String, target: String) {
            kind = caller.kind
            tenantID = caller.tenantID
            objectID = caller.objectID
            name = caller.name
            username = caller.username
            clientAppID = caller.clientAppID
            sessionHash = caller.sessionHash
            roles = caller.roles
            groups = caller.groups
            self.method = method
            self.target = target
        }
    }

    /// Seconds an assertion is reused after it was issued.
    var reuseWindow: TimeInterval { entries.maxAge }
    var capacity: Int { entries.capacity }
    private let entries: ExpiringEntries<Key, String>

    /// - Parameters:
    ///   - reuseWindow: seconds an assertion is reused; 0 signs one per request.
    ///   - capacity: entries kept; default 10000.
    init(reuseWindow: TimeInterval, capacity: Int = 10_000) {
        entries = ExpiringEntries(maxAge: reuseWindow, capacity: capacity)
    }

    /// Returns the cached assertion for `key` when it was issued less than
    /// ``reuseWindow`` seconds before `now`, or else signs, stores and returns a new one.
    func assertion(for key: Key, now: Date, sign: () throws -> String) rethrows -> String {
        let seconds = now.timeIntervalSince1970
        if let cached = entries.value(for: key, now: seconds) {
            return cached
        }
        let assertion = try sign()
        entries.store(assertion, for: key, now: seconds)
        return assertion
    }
}
