import Foundation
import MoatJOSE

extension KeySetCache {
    /// Verifies a compact JWT with the cached keys. A `kid` missing from them
    /// causes one refetch (at most one per the cache's cooldown) and a second
    /// attempt, so a rotated signing key is picked up without a restart.
    ///
    /// - Parameter rejection: the code for a token that fails verification;
    ///   default `invalid_token`.
    /// - Throws: ``TokenRejection`` with code `keys_unavailable` when no key set
    ///   could be fetched, or `rejection` with the JOSE layer's code in `detailCode`.
    ///
    /// Nonisolated, so the signature check and the claim checks run on the
    /// caller's thread and concurrent requests verify in parallel. Key set
    /// lookups enter the actor only when the cached keys are missing or older
    /// than the time to live, or when the token names an unknown `kid`.
    public nonisolated func verify(
        _ token: String, policy: JWTValidationPolicy, now: Date, rejection: TokenRejection.Code = .invalidToken
    ) async throws(TokenRejection) -> VerifiedJWT {
        let keySet: JSONWebKeySet
        do {
            if let fresh = freshKeySet() {
                keySet = fresh
            } else {
                keySet = try await currentKeySet()
            }
        } catch {
            throw TokenRejection(.keysUnavailable, "the issuer's signing keys could not be fetched: \(error)")
        }
        do {
            return try JWTVerifier(keySet: keySet, policy: policy).verify(token, now: now)
        } catch let error where error.code == .unknownKey {
            guard let refreshed = await keySetAfterUnknownKeyID() else {
                throw TokenRejection(rejection, detailCode: error.code.name, error.reason)
            }
            do {
                return try JWTVerifier(keySet: refreshed, policy: policy).verify(token, now: now)
            } catch {
                throw TokenRejection(rejection, detailCode: error.code.name, error.reason)
            }
        } catch {
            throw TokenRejection(rejection, detailCode: error.code.name, error.reason)
        }
    }
}
