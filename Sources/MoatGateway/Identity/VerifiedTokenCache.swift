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
    /// Seconds a verified token is trusted without re-validation. Default 300.
    var maxAge: TimeInterval { entries.maxAge }
    var capacity: Int { entries.capacity }
    private let entries: ExpiringEntries<SHA256Digest, GatewayCaller>

    init(maxAge: TimeInterval = 300, capacity: Int = 10_000) {
        entries = ExpiringEntries(maxAge: maxAge, capacity: capacity)
    }

    func caller(for authorization: String, now: Date) -> GatewayCaller? {
        entries.value(for: Self.key(authorization), now: now.timeIntervalSince1970)
    }

    /// Stores a caller whose token was just validated.
    func store(_ caller: GatewayCaller, for authorization: String, now: Date) {
        let token = authorization.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
        let expiresAt = Gateway.unverifiedClaims(token)?["exp"]?.int64Value.map(TimeInterval.init) ?? .infinity
        entries.store(caller, for: Self.key(authorization), now: now.timeIntervalSince1970, expiresAt: expiresAt)
    }

    private static func key(_ authorization: String) -> SHA256Digest {
        SHA256Digest(hashing: authorization)
    }
}
