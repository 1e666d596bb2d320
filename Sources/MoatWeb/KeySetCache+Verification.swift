import Foundation
import MoatIdentity
import MoatJOSE

extension KeySetCache {
    /// Verifies a compact JWT with the cached keys. A `kid` missing from them
    /// causes one refetch (at most one per the cache's cooldown) and a second
    /// attempt, so a rotated signing key is picked up without a restart.
    ///
    /// - Throws: ``TokenRejection`` with code `keys_unavailable` when no key set
    ///   could be fetched, or `invalid_token` with the JOSE layer's code in `detailCode`.
    func verify(_ token: String, policy: JWTValidationPolicy, now: Date) async throws(TokenRejection) -> VerifiedJWT {
        let keySet: JSONWebKeySet
        do {
            keySet = try await currentKeySet()
        } catch {
            throw TokenRejection(.keysUnavailable, "the signing keys could not be fetched: \(error)")
        }
        do {
            return try JWTVerifier(keySet: keySet, policy: policy).verify(token, now: now)
        } catch let error where error.code == .unknownKey {
            guard let refreshed = await keySetAfterUnknownKeyID() else {
                throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
            }
            do {
                return try JWTVerifier(keySet: refreshed, policy: policy).verify(token, now: now)
            } catch {
                throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
            }
        } catch {
            throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
        }
    }
}
