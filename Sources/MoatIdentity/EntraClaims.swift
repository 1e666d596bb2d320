import MoatJOSE
import MoatJSON

/// JSON types of the claims Microsoft Entra ID puts in access tokens, checked
/// so that no claim is read under two interpretations (for example `roles`
/// sent as the string `"Admin"` instead of an array).
enum EntraClaims {
    static let tenantID: JSONMemberName = "tid"
    static let objectID: JSONMemberName = "oid"
    static let authorizedParty: JSONMemberName = "azp"
    static let applicationID: JSONMemberName = "appid"
    static let version: JSONMemberName = "ver"
    static let scope: JSONMemberName = "scp"
    static let identityType: JSONMemberName = "idtyp"
    static let nonce: JSONMemberName = "nonce"
    static let name: JSONMemberName = "name"
    static let preferredUsername: JSONMemberName = "preferred_username"
    static let userPrincipalName: JSONMemberName = "upn"
    static let roles: JSONMemberName = "roles"
    static let groups: JSONMemberName = "groups"
    static let hasGroups: JSONMemberName = "hasgroups"
    static let claimNames: JSONMemberName = "_claim_names"
    static let claimSources: JSONMemberName = "_claim_sources"

    static let stringClaims: [JSONMemberName] = [
        tenantID, objectID, authorizedParty, applicationID, "azpacr", "appidacr", version, scope, identityType, nonce, name,
        preferredUsername, userPrincipalName, "unique_name", "uti", "email",
    ]
    static let stringArrayClaims: [JSONMemberName] = [roles, groups, "wids", "amr"]

    /// Rejects a token whose Entra claims have the wrong JSON type, with `invalid_claim_type`.
    static func checkTypes(_ claims: JSONObjectIndex) throws(TokenRejection) {
        for name in stringClaims {
            if let kind = claims.kind(of: name), kind != .string {
                throw typeError("the \(name) claim is not a string")
            }
        }
        for name in stringArrayClaims {
            if claims.contains(name), !claims.isStringArray(name) {
                throw typeError("the \(name) claim is not an array of strings")
            }
        }
        if let kind = claims.kind(of: hasGroups), kind != .bool {
            throw typeError("the hasgroups claim is not a boolean")
        }
        if let value = claims.value(claimNames) {
            guard case .object(let names) = value, names.allSatisfy({ $0.value.stringValue != nil }) else {
                throw typeError("the _claim_names claim is not an object of strings")
            }
        }
        if let kind = claims.kind(of: claimSources), kind != .object {
            throw typeError("the _claim_sources claim is not an object")
        }
    }

    /// True when the token says the user's groups did not fit in it: `_claim_names`
    /// names a `groups` source (JWT overage) or `hasgroups` is true.
    ///
    /// The endpoint in `_claim_sources` is never called: it comes from the token,
    /// and groups are looked up only at the configured directory endpoint.
    static func signalsGroupOverage(_ claims: JSONObjectIndex) -> Bool {
        if case .object(let names)? = claims.value(claimNames), names["groups"] != nil { return true }
        return claims.bool(hasGroups) == true
    }

    private static func typeError(_ reason: String) -> TokenRejection {
        TokenRejection(.invalidToken, detailCode: JOSEError.Code.invalidClaimType.name, reason)
    }
}
