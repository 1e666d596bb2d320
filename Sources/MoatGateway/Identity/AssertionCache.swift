import Foundation
import MoatCore
import MoatCrypto

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
        /// ``fingerprint(of:)`` of the caller: every claim the assertion takes from it.
        var caller: SHA256Digest
        var method: String
        var target: String

        init(caller: GatewayCaller, method: String, target: String) {
            self.caller = caller.assertionFingerprint ?? AssertionCache.fingerprint(of: caller)
            self.method = method
            self.target = target
        }
    }

    /// Returns the SHA-256 of the caller's kind, tenant, object id, name,
    /// user name, calling application, session hash, roles and groups, each
    /// length-prefixed so that no two callers share an encoding. Cached
    /// callers carry it, so a request hashes three fields instead of eleven.
    static func fingerprint(of caller: GatewayCaller) -> SHA256Digest {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(256)
        func append(_ text: String?) {
            guard let text else {
                encoded.append(0)
                return
            }
            encoded.append(1)
            withUnsafeBytes(of: UInt32(text.utf8.count).bigEndian) { encoded.append(contentsOf: $0) }
            encoded.append(contentsOf: text.utf8)
        }
        func append(_ list: [String]) {
            withUnsafeBytes(of: UInt32(list.count).bigEndian) { encoded.append(contentsOf: $0) }
            list.forEach(append)
        }
        append(caller.kind.rawValue)
        append(caller.tenantID)
        append(caller.objectID)
        append(caller.name)
        append(caller.username)
        append(caller.clientAppID)
        append(caller.sessionHash)
        append(caller.roles)
        append(caller.groups)
        return encoded.withUnsafeBytes { SHA256Digest(hashing: $0) }
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
