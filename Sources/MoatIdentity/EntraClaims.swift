import MoatJOSE
import MoatJSON

/// JSON types of the claims Microsoft Entra ID puts in access tokens, checked
/// so that no claim is read under two interpretations (for example `roles`
/// sent as the string `"Admin"` instead of an array).
enum EntraClaims {
    /// A claim that the validator type-checks or reads; its raw value is its index in ``names``.
    enum Claim: Int, CaseIterable {
        case tenantID, objectID, authorizedParty, applicationID, authorizedPartyACR, applicationIDACR, version, scope
        case identityType, nonce, name, preferredUsername, userPrincipalName, uniqueName, uniqueTokenID, email
        case roles, groups, directoryRoleIDs, authenticationMethods
        case hasGroups, claimNames, claimSources
        case issuer

        var name: JSONMemberName { EntraClaims.names[rawValue] }
    }

    /// Member names of the ``Claim`` cases, in case order.
    static let names: [JSONMemberName] = [
        "tid", "oid", "azp", "appid", "azpacr", "appidacr", "ver", "scp",
        "idtyp", "nonce", "name", "preferred_username", "upn", "unique_name", "uti", "email",
        "roles", "groups", "wids", "amr",
        "hasgroups", "_claim_names", "_claim_sources",
        RegisteredClaim.issuer,
    ]
    static let table = JSONMemberNameTable(names)

    static let stringClaims: [Claim] = [
        .tenantID, .objectID, .authorizedParty, .applicationID, .authorizedPartyACR, .applicationIDACR, .version, .scope,
        .identityType, .nonce, .name, .preferredUsername, .userPrincipalName, .uniqueName, .uniqueTokenID, .email,
    ]
    static let stringArrayClaims: [Claim] = [.roles, .groups, .directoryRoleIDs, .authenticationMethods]

    /// Rejects a token whose Entra claims have the wrong JSON type, with `invalid_claim_type`.
    static func checkTypes(_ claims: EntraClaimSet) throws(TokenRejection) {
        for claim in stringClaims {
            if let kind = claims.kind(claim), kind != .string {
                throw typeError("the \(claim.name) claim is not a string")
            }
        }
        for claim in stringArrayClaims {
            if let position = claims.position(claim), !claims.index.isStringArray(at: position) {
                throw typeError("the \(claim.name) claim is not an array of strings")
            }
        }
        if let kind = claims.kind(.hasGroups), kind != .bool {
            throw typeError("the hasgroups claim is not a boolean")
        }
        if let position = claims.position(.claimNames) {
            guard case .object(let names) = claims.index.value(at: position), names.allSatisfy({ $0.value.stringValue != nil }) else {
                throw typeError("the _claim_names claim is not an object of strings")
            }
        }
        if let kind = claims.kind(.claimSources), kind != .object {
            throw typeError("the _claim_sources claim is not an object")
        }
    }

    /// True when the token says the user's groups did not fit in it: `_claim_names`
    /// names a `groups` source (JWT overage) or `hasgroups` is true.
    ///
    /// The endpoint in `_claim_sources` is never called: it comes from the token,
    /// and groups are looked up only at the configured directory endpoint.
    static func signalsGroupOverage(_ claims: EntraClaimSet) -> Bool {
        if let position = claims.position(.claimNames), case .object(let names) = claims.index.value(at: position), names["groups"] != nil {
            return true
        }
        return claims.position(.hasGroups).flatMap { claims.index.bool(at: $0) } == true
    }

    private static func typeError(_ reason: String) -> TokenRejection {
        TokenRejection(.invalidToken, detailCode: JOSEError.Code.invalidClaimType.name, reason)
    }
}

/// A verified claim set with the position of each ``EntraClaims/Claim`` found
/// in one pass, so that each read costs no search.
struct EntraClaimSet {
    let index: JSONObjectIndex
    /// Member position per ``EntraClaims/Claim`` raw value, or -1 when absent.
    /// Fixed-size storage, because a heap array per token showed up in profiles.
    /// Its size must be at least the number of claims; a larger table traps on the first write.
    private var positions = InlineArray<24, Int32>(repeating: -1)

    init(_ index: JSONObjectIndex) {
        self.index = index
        // Int32 halves the storage. A position beyond Int32.max would trap here.
        index.forEachMember(in: EntraClaims.table) { entry, position in
            positions[entry] = Int32(position)
        }
    }

    func position(_ claim: EntraClaims.Claim) -> Int? {
        let position = positions[claim.rawValue]
        return position < 0 ? nil : Int(position)
    }

    func contains(_ claim: EntraClaims.Claim) -> Bool { positions[claim.rawValue] >= 0 }

    func kind(_ claim: EntraClaims.Claim) -> JSONValueKind? { position(claim).map { index.kind(at: $0) } }

    /// The claim when it is a string; nil when absent or of another type.
    func string(_ claim: EntraClaims.Claim) -> String? { position(claim).flatMap { index.string(at: $0) } }

    /// The claim when it is an array of strings; nil when absent or of another type.
    func strings(_ claim: EntraClaims.Claim) -> [String]? { position(claim).flatMap { index.strings(at: $0) } }
}
