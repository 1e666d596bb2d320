import Foundation
import MoatCore
import MoatCrypto

/// Remembers what a sealed session cookie opened to, so that repeated
/// requests with the same cookie skip base64 decoding, AES-GCM and parsing.
///
/// An entry is keyed by the SHA-256 of the sealed value (all pieces joined),
/// so only a cookie with exactly the same bytes finds it. Only cookies that
/// opened are stored. The cache replaces the decryption alone: the gateway
/// still checks the idle and absolute timeouts and the revocation list on
/// every request, against the session's own times. An entry is used for at
/// most `maxAge` seconds after it was stored. The cache keeps at most
/// `capacity` entries and drops the expired ones, or all, when full.
final class OpenedSessionCache: Sendable {
    /// An opened session, the caller derived from it and its key in
    /// ``RevokedSessions``. A class, so that each request takes one reference
    /// to it instead of copying the session's and the caller's many strings:
    /// every copy touches their reference counts, which both event-loop
    /// threads share.
    final class Entry: Sendable {
        let session: GatewaySession
        let caller: GatewayCaller
        let revocationKey: SHA256Digest

        init(session: GatewaySession, caller: GatewayCaller) {
            self.session = session
            self.caller = caller
            self.revocationKey = RevokedSessions.key(for: session.id)
        }
    }

    private let entries: ExpiringEntries<SHA256Digest, Entry>

    /// - Parameters:
    ///   - maxAge: seconds an entry is used; 0 disables the cache.
    ///   - capacity: entries kept; default 1000, because an entry contains the
    ///     session's tokens, a few kilobytes.
    init(maxAge: TimeInterval = 300, capacity: Int = 1000) {
        entries = ExpiringEntries(maxAge: maxAge, capacity: capacity)
    }

    /// Returns the key for a sealed cookie value: its SHA-256.
    static func key(sealedValue: String) -> SHA256Digest {
        SHA256Digest(hashing: sealedValue)
    }

    /// Returns the entry stored for `key` when it is younger than `maxAge`.
    func entry(for key: SHA256Digest, now: Date) -> Entry? {
        entries.value(for: key, now: now.timeIntervalSince1970)
    }

    /// Stores a session that was just opened from the sealed value behind `key`.
    func store(_ entry: Entry, for key: SHA256Digest, now: Date) {
        entries.store(entry, for: key, now: now.timeIntervalSince1970)
    }
}
