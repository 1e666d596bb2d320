import Foundation
import MoatCore
import MoatJOSE

/// The identity provider's signing keys: one current key that signs new
/// tokens, and retired keys that stay in the JWKS until their overlap window
/// ends, so tokens signed before a rotation still validate.
///
/// Relying parties that cache the JWKS see a new `kid` after a rotation and
/// refetch the key set once (an unknown `kid` triggers one refetch per cooldown).
final class SigningKeyRing: Sendable {
    private struct Keys {
        var current: JWTSigner
        /// Public keys of earlier signers, each published until its date.
        var retired: [(key: JSONWebKey, publishedUntil: Date)]
    }

    private let keys: LockedValue<Keys>

    init(current: JWTSigner) {
        keys = LockedValue(Keys(current: current, retired: []))
    }

    /// The key that signs new tokens.
    var current: JWTSigner { keys.current.current }

    /// Makes `signer` the current key. The previous key stays published until `now + overlap`.
    func rotate(to signer: JWTSigner, overlap: TimeInterval, now: Date) {
        keys.withLock { keys in
            keys.retired.removeAll { $0.publishedUntil <= now || $0.key.keyID == signer.keyID }
            if keys.current.keyID != signer.keyID {
                keys.retired.append((keys.current.publicJWK, now.addingTimeInterval(overlap)))
            }
            keys.current = signer
        }
    }

    /// Publishes an earlier key until `until`, for example one kept on disk across a restart.
    func retain(_ key: JSONWebKey, until: Date) {
        keys.withLock { keys in
            guard !keys.retired.contains(where: { $0.key.keyID == key.keyID }) else { return }
            keys.retired.append((key, until))
        }
    }

    /// The keys to publish at `now`: the current key first, then retired keys still inside their window.
    func publishedKeys(now: Date) -> [JSONWebKey] {
        let snapshot = keys.current
        return [snapshot.current.publicJWK] + snapshot.retired.filter { $0.publishedUntil > now }.map(\.key)
    }
}
