import Foundation
import MoatCore
import MoatJOSE
import MoatJSON

/// Validates bearer access tokens for one API and turns them into a ``Principal``.
///
/// Order of checks:
/// 1. The `Authorization` header is exactly `Bearer <token>`.
/// 2. The JOSE layer verifies structure, header, key (by `kid`, with at most
///    one key-set refetch per cooldown for an unknown `kid`), signature and the
///    registered claims (`iss`, `aud`, `exp`, `nbf`, `iat`), in that order.
/// 3. The token is an access token: `ver` is `2.0`, and it carries `scp`
///    (delegated) or `roles` (app-only). ID tokens carry neither and have a
///    `nonce`, so they are rejected here.
/// 4. `tid` and `oid` are present strings, the tenant is allowed, and the
///    calling application (`azp`) is on the allow-list.
public struct AccessTokenValidator: Sendable {
    public let policy: AccessTokenPolicy
    private let keys: KeySetCache
    private let clock: any WallClock

    public init(policy: AccessTokenPolicy, keys: KeySetCache, clock: any WallClock = SystemClock()) {
        self.policy = policy
        self.keys = keys
        self.clock = clock
    }

    /// Validates the value of an `Authorization` header.
    public func validate(authorizationHeader: String?) async throws(TokenRejection) -> Principal {
        guard let header = authorizationHeader, !header.isEmpty else {
            throw TokenRejection(.missingToken, "the request has no Authorization header; send 'Authorization: Bearer <access token>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, !parts[1].contains(" ") else {
            throw TokenRejection(.malformedAuthorization, "the Authorization header is not of the form 'Bearer <token>'")
        }
        return try await validate(token: String(parts[1]))
    }

    /// Validates a compact access token.
    public func validate(token: String) async throws(TokenRejection) -> Principal {
        let verified = try await verifySignatureAndClaims(token)
        return try principal(from: verified)
    }

    private func verifySignatureAndClaims(_ token: String) async throws(TokenRejection) -> VerifiedJWT {
        let keySet: JSONWebKeySet
        do {
            keySet = try await keys.currentKeySet()
        } catch {
            throw TokenRejection(.keysUnavailable, "the issuer's signing keys could not be fetched: \(error)")
        }
        do {
            return try JWTVerifier(keySet: keySet, policy: policy.jwtPolicy).verify(token, now: clock.now())
        } catch let error where error.code == .unknownKey {
            guard let refreshed = await keys.keySetAfterUnknownKeyID() else {
                throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
            }
            do {
                return try JWTVerifier(keySet: refreshed, policy: policy.jwtPolicy).verify(token, now: clock.now())
            } catch {
                throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
            }
        } catch {
            throw TokenRejection(.invalidToken, detailCode: error.code.name, error.reason)
        }
    }

    private func principal(from token: VerifiedJWT) throws(TokenRejection) -> Principal {
        let claims = token.claims
        guard claims["ver"]?.stringValue == "2.0" else {
            throw TokenRejection(.unsupportedTokenVersion, "the token's ver claim is not \"2.0\"; request a v2.0 access token")
        }
        if claims["nonce"] != nil {
            throw TokenRejection(.notAnAccessToken, "the token carries a nonce, so it is an ID token; send an access token for this API")
        }
        let scopeClaim = claims["scp"]
        let rolesClaim = claims["roles"]
        if let scopeClaim, scopeClaim.stringValue == nil {
            throw TokenRejection(.invalidToken, detailCode: "invalid_claim_type", "the scp claim is not a string")
        }
        let roles = try stringArray(rolesClaim, claim: "roles")
        let groups = try stringArray(claims["groups"], claim: "groups")
        guard scopeClaim != nil || !roles.isEmpty else {
            throw TokenRejection(.notAnAccessToken, "the token has neither scp nor roles, so it is not an access token for this API")
        }
        guard let tenantID = claims["tid"]?.stringValue, let objectID = claims["oid"]?.stringValue,
              !tenantID.isEmpty, !objectID.isEmpty
        else {
            throw TokenRejection(.missingIdentity, "the token lacks a tid or oid string claim")
        }
        let tenants = policy.allowedTenants.isEmpty ? [tenantFromIssuer].compactMap { $0 } : policy.allowedTenants
        guard tenants.contains(tenantID) else {
            throw TokenRejection(.tenantNotAllowed, "tenant \(tenantID) is not allowed to call this API")
        }
        let clientAppID = claims["azp"]?.stringValue ?? claims["appid"]?.stringValue
        guard let clientAppID, policy.allowedClientApps.contains(clientAppID) else {
            throw TokenRejection(
                .clientNotAllowed,
                "calling application \(clientAppID ?? "(none)") is not allowed; add its client id to the API's allowed client apps"
            )
        }
        let scopes = scopeClaim?.stringValue.map { $0.split(separator: " ").map(String.init) } ?? []
        let isAppOnly = claims["idtyp"]?.stringValue == "app" || (scopeClaim == nil && !roles.isEmpty)
        return Principal(
            kind: isAppOnly ? .application : .user,
            tenantID: tenantID,
            objectID: objectID,
            name: claims["name"]?.stringValue,
            username: claims["preferred_username"]?.stringValue,
            clientAppID: clientAppID,
            roles: roles,
            groups: groups,
            scopes: scopes
        )
    }

    /// The tenant id in a `…/{tid}/v2.0` issuer, the form Entra ID and `moat idp` use.
    private var tenantFromIssuer: String? {
        let components = policy.issuer.split(separator: "/")
        guard components.count >= 2, components.last == "v2.0" else { return nil }
        return String(components[components.count - 2])
    }

    private func stringArray(_ value: JSONValue?, claim: String) throws(TokenRejection) -> [String] {
        guard let value else { return [] }
        guard let array = value.arrayValue else {
            throw TokenRejection(.invalidToken, detailCode: "invalid_claim_type", "the \(claim) claim is not an array of strings")
        }
        var strings: [String] = []
        for element in array {
            guard let string = element.stringValue else {
                throw TokenRejection(.invalidToken, detailCode: "invalid_claim_type", "the \(claim) claim is not an array of strings")
            }
            strings.append(string)
        }
        return strings
    }
}
