import Foundation
import MoatCore
import MoatCrypto
import MoatJOSE
import MoatJSON

/// Remembers bearer tokens that passed full validation, so that repeated
/// requests with the same token skip the signature check.
///
/// An entry is keyed by the SHA-256 of the whole `Authorization` value and
/// used until the token's `exp` or for ``maxAge`` seconds, whichever comes
/// first. After that the token is validated again, which also notices a
/// signing key the issuer withdrew. The cache holds at most ``capacity``
/// entries and drops expired ones, or all, when full.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        var caller: GatewayCaller
        var expiresAt: Date
    }

    /// Seconds a verified token is trusted without re-validation. Default 300.
    let maxAge: TimeInterval
    let capacity: Int
    private let entries = LockedValue([Data: Entry]())

    init(maxAge: TimeInterval = 300, capacity: Int = 10_000) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    func caller(for authorization: String, now: Date) -> GatewayCaller? {
        let key = Digest.sha256(Data(authorization.utf8))
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expiresAt > now else {
                entries[key] = nil
                return nil
            }
            return entry.caller
        }
    }

    /// Stores a caller whose token was just validated.
    func store(_ caller: GatewayCaller, for authorization: String, now: Date) {
        let token = authorization.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
        var expiresAt = now.addingTimeInterval(maxAge)
        if let exp = Gateway.unverifiedClaims(token)?["exp"]?.int64Value {
            expiresAt = min(expiresAt, Date(timeIntervalSince1970: TimeInterval(exp)))
        }
        let key = Digest.sha256(Data(authorization.utf8))
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= capacity {
                    entries.removeAll()
                }
            }
            entries[key] = Entry(caller: caller, expiresAt: expiresAt)
        }
    }
}
