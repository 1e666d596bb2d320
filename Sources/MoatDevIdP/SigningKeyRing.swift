import Foundation
import MoatCore
import MoatJOSE

/// The identity provider's signing keys: one current key that signs new
/// tokens, at most one upcoming key that is published before it signs, and
/// retired keys that stay in the JWKS until their overlap window ends, so
/// tokens signed before a rotation still validate.
///
/// Relying parties that cache the JWKS refetch it on an unknown `kid`, but
/// at most once per cooldown (30 s in `KeySetCache`). Publishing the upcoming
/// key for a lead time longer than that cooldown means every relying party
/// already holds the new key when the first token signed with it arrives.
final class SigningKeyRing: Sendable {
    private struct Upcoming {
        let signer: JWTSigner
        /// When the key starts signing.
        let signsFrom: Date
        /// Seconds the replaced key stays published after `signsFrom`.
        let overlap: TimeInterval
    }

    private struct Keys {
        var current: JWTSigner
        var upcoming: Upcoming?
        /// Public keys of earlier signers, each published until its date.
        var retired: [(key: JSONWebKey, publishedUntil: Date)]

        /// Makes the upcoming key current once its lead has passed, and retires the replaced key.
        mutating func promoteUpcoming(now: Date) {
            guard let next = upcoming, next.signsFrom <= now else { return }
            upcoming = nil
            retired.removeAll { $0.key.keyID == next.signer.keyID }
            if current.keyID != next.signer.keyID {
                retired.append((current.publicJWK, next.signsFrom.addingTimeInterval(next.overlap)))
            }
            current = next.signer
        }
    }

    private let keys: LockedValue<Keys>
    private let clock: any WallClock

    init(current: JWTSigner, clock: any WallClock) {
        keys = LockedValue(Keys(current: current, upcoming: nil, retired: []))
        self.clock = clock
    }

    /// The key that signs new tokens now.
    var current: JWTSigner {
        let now = clock.now()
        return keys.withLock { keys in
            keys.promoteUpcoming(now: now)
            return keys.current
        }
    }

    /// Publishes `signer` at once and makes it sign new tokens after `lead`
    /// seconds. The replaced key stays published for `overlap` seconds after
    /// the switch.
    ///
    /// A rotation during another one's lead replaces the upcoming key, which
    /// has signed nothing yet, so the current key keeps signing until the new lead ends.
    func rotate(to signer: JWTSigner, lead: TimeInterval, overlap: TimeInterval) {
        let now = clock.now()
        keys.withLock { keys in
            keys.promoteUpcoming(now: now)
            keys.retired.removeAll { $0.publishedUntil <= now || $0.key.keyID == signer.keyID }
            guard keys.current.keyID != signer.keyID else {
                keys.upcoming = nil
                return
            }
            keys.upcoming = Upcoming(signer: signer, signsFrom: now.addingTimeInterval(lead), overlap: overlap)
            keys.promoteUpcoming(now: now)
        }
    }

    /// Signs with `previous` again until `signsFrom`, and then with the key
    /// that is current now. A restarted provider uses this to finish a lead
    /// that began before the restart.
    func resumeRotation(from previous: JWTSigner, signsFrom: Date, overlap: TimeInterval) {
        let now = clock.now()
        keys.withLock { keys in
            guard keys.upcoming == nil, keys.current.keyID != previous.keyID else { return }
            keys.retired.removeAll { $0.key.keyID == previous.keyID }
            keys.upcoming = Upcoming(signer: keys.current, signsFrom: signsFrom, overlap: overlap)
            keys.current = previous
            keys.promoteUpcoming(now: now)
        }
    }

    /// Publishes an earlier key until `until`, for example one kept on disk across a restart.
    func retain(_ key: JSONWebKey, until: Date) {
        keys.withLock { keys in
            guard !keys.retired.contains(where: { $0.key.keyID == key.keyID }) else { return }
            keys.retired.append((key, until))
        }
    }

    /// The keys to publish now: the current key first, then the upcoming key,
    /// then retired keys still inside their window.
    func publishedKeys() -> [JSONWebKey] {
        let now = clock.now()
        return keys.withLock { keys in
            keys.promoteUpcoming(now: now)
            let upcoming = keys.upcoming.map { [$0.signer.publicJWK] } ?? []
            let retired = keys.retired.filter { $0.publishedUntil > now }.map(\.key)
            return [keys.current.publicJWK] + upcoming + retired
        }
    }
}
