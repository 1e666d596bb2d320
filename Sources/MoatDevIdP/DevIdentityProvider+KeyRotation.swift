import Foundation
import MoatCore
import MoatJOSE

/// The signing key file a provider follows, with the time of the last look and the file's modification time then.
struct SigningKeyFileWatch: Sendable {
    let url: URL
    var lastCheck: Date?
    var modified: Date?
}

extension DevIdentityProvider {
    /// Seconds between two looks at the signing key file. Requests in between do not touch the file system.
    public static let keyFileCheckInterval: TimeInterval = 2

    /// Makes the provider follow the key file at `url`, as `moat idp rotate-key` rewrites it.
    ///
    /// When `url` has a `.previous.pem` key whose rotation (the file's
    /// modification time) lies within the lead, that key signs again until
    /// the lead ends. Within the overlap window after the lead, that key is
    /// published again. So a restart during a rotation neither gets ahead of
    /// relying parties nor breaks older tokens.
    public func followSigningKeyFile(at url: URL) {
        let now = clock.now()
        let modified = Self.modificationDate(of: url)
        keyFileWatch.withLock { $0 = SigningKeyFileWatch(url: url, lastCheck: now, modified: modified) }
        let previousURL = SigningKeyStore.previousKeyURL(for: url)
        guard let rotatedAt = Self.modificationDate(of: previousURL),
              let previous = try? SigningKeyStore.load(at: previousURL),
              previous.keyID != keyRing.current.keyID
        else { return }
        let signsFrom = rotatedAt.addingTimeInterval(signingKeyLead)
        let until = signsFrom.addingTimeInterval(defaultRotationOverlap)
        if signsFrom > now {
            keyRing.resumeRotation(from: previous, signsFrom: signsFrom, overlap: defaultRotationOverlap)
            logger.info("previous signing key signs until the rotation lead ends", metadata: ["moat.idp.kid": previous.keyID])
        } else if until > now {
            keyRing.retain(previous.publicJWK, until: until)
            logger.info("previous signing key published", metadata: ["moat.idp.kid": previous.keyID])
        }
    }

    /// Rotates to the key in the followed file when the file changed since
    /// the last look, at most once per ``keyFileCheckInterval``. The new key
    /// is published at once and signs after ``signingKeyLead``, and the
    /// replaced key stays published for the default overlap (token lifetime
    /// plus five minutes) after that.
    ///
    /// Every request calls this, so a running provider picks up a rotation
    /// within seconds without a background task.
    public func reloadSigningKeyIfChanged() {
        let now = clock.now()
        let due = keyFileWatch.withLock { watch -> URL? in
            guard var current = watch, now.timeIntervalSince(current.lastCheck ?? .distantPast) >= Self.keyFileCheckInterval else { return nil }
            current.lastCheck = now
            let modified = Self.modificationDate(of: current.url)
            defer { watch = current }
            guard modified != current.modified else { return nil }
            current.modified = modified
            return current.url
        }
        guard let url = due else { return }
        do {
            let signer = try SigningKeyStore.load(at: url)
            guard signer.keyID != keyRing.current.keyID else { return }
            rotateSigningKey(to: signer)
        } catch {
            logger.error("signing key file could not be reloaded; the current key stays in use", metadata: [
                "moat.idp.key_file": url.path, "moat.error": "\(error)",
            ])
        }
    }

    /// The overlap after a rotation: the token lifetime plus five minutes of clock leeway.
    var defaultRotationOverlap: TimeInterval { minter.lifetime + 300 }

    private static func modificationDate(of url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}
