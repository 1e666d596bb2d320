import Foundation
import MoatCore
import MoatJOSE
import MoatJSON

/// Validates bearer access tokens for one API and turns them into a ``Principal``.
///
/// Order of checks:
/// 1. The `Authorization` header is exactly `Bearer <token>`.
/// 2. The JOSE layer verifies structure, header, key, signature and the
///    registered claims, in that order. The key is found by `kid`, with at most
///    one key-set refetch per cooldown for an unknown `kid`. The claims are
///    `iss` (the v2.0 or optional v1.0 issuer), `aud`, `exp`, `nbf`, `iat` and the maximum age.
/// 3. Entra claims have their documented JSON types (``EntraClaims``).
/// 4. `ver` is `2.0`, or `1.0` when a v1.0 issuer is configured, and `iss`
///    is the issuer of that version.
/// 5. The token is an access token: it carries `scp` (delegated) or `roles`
///    (app-only) and no `nonce`. ID tokens fail here.
/// 6. `tid` and `oid` are present, the tenant is allowed, and the calling
///    application (`azp` in v2.0, `appid` in v1.0) is on the allow-list.
/// 7. Groups: the `groups` claim, or, when the token signals a group overage
///    (`_claim_names` or `hasgroups`), the groups from the configured
///    ``GroupMembershipResolver``; without one the token is rejected.
public struct AccessTokenValidator: Sendable {
    public let policy: AccessTokenPolicy
    /// Derived from ``policy`` once, because building them per token costs string searches.
    let jwtPolicy: JWTValidationPolicy
    let issuerPatterns: [(version: EntraTokenVersion, pattern: IssuerPattern)]
    let effectiveTenants: StringAllowList
    private let keys: KeySetCache
    private let clock: any WallClock
    private let groupResolver: (any GroupMembershipResolver)?
    /// Counts repeated rejections for ``logRejection(_:requestID:logger:)``; copies of the validator share it.
    let rejectionLog: RepeatedLogLimiter

    /// - Parameters:
    ///   - groupResolver: looks up groups for tokens with a group overage.
    ///     Default nil: such tokens are rejected with `group_overage_unresolved`.
    ///   - rejectionLogInterval: seconds during which repeated rejections with
    ///     the same code are counted instead of logged. Default 60.
    public init(
        policy: AccessTokenPolicy, keys: KeySetCache, clock: any WallClock = SystemClock(),
        groupResolver: (any GroupMembershipResolver)? = nil, rejectionLogInterval: TimeInterval = 60
    ) {
        self.policy = policy
        self.jwtPolicy = policy.jwtPolicy
        self.issuerPatterns = policy.issuerPatterns
        self.effectiveTenants = StringAllowList(policy.effectiveTenants)
        self.keys = keys
        self.clock = clock
        self.groupResolver = groupResolver
        self.rejectionLog = RepeatedLogLimiter(interval: rejectionLogInterval, clock: clock)
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

    /// Returns true when `authorizationHeader` uses the Bearer scheme (case-insensitive), whatever its token.
    ///
    /// RFC 6750 §3.1: a request without a header or with another scheme (for example Basic)
    /// lacks any authentication information, so its challenge carries no `error` parameter.
    public static func hasBearerScheme(_ authorizationHeader: String?) -> Bool {
        guard let header = authorizationHeader else { return false }
        // Bytes compared in place, because the gateway checks every request and a lower-cased copy of the token allocated.
        return header.withUTF8Buffer { bytes in
            guard bytes.count == 6 || (bytes.count > 6 && bytes[6] == UInt8(ascii: " ")) else { return false }
            // Setting bit 5 lower-cases an ASCII letter and maps no other byte to a letter of "bearer".
            return bytes[0] | 0x20 == UInt8(ascii: "b") && bytes[1] | 0x20 == UInt8(ascii: "e") && bytes[2] | 0x20 == UInt8(ascii: "a")
                && bytes[3] | 0x20 == UInt8(ascii: "r") && bytes[4] | 0x20 == UInt8(ascii: "e") && bytes[5] | 0x20 == UInt8(ascii: "r")
        }
    }

    /// Validates a compact access token.
    public func validate(token: String) async throws(TokenRejection) -> Principal {
        let verified: VerifiedJWT
        do {
            verified = try await keys.verify(token, policy: jwtPolicy, now: clock.now())
        } catch {
            throw addingSettingHint(to: error, token: token)
        }
        let (principal, groupsOverage) = try principal(from: verified)
        guard groupsOverage else { return principal }
        var resolved = principal
        resolved.groups = try await resolveGroups(principal)
        return resolved
    }

    private func resolveGroups(_ principal: Principal) async throws(TokenRejection) -> [String] {
        guard let groupResolver else {
            throw TokenRejection(
                .groupOverageUnresolved,
                "the token signals more groups than fit in it (_claim_names or hasgroups) and this API does not look groups up; "
                    + "set \(policy.settingsSection).group_overage = \"resolve\" to look them up through Microsoft Graph, "
                    + "or assign the user fewer groups")
        }
        do {
            return try await groupResolver.groupObjectIDs(tenantID: principal.tenantID, objectID: principal.objectID)
        } catch {
            throw TokenRejection(.groupResolutionFailed, "the groups of user \(principal.userID) could not be looked up: \(error)")
        }
    }
}
