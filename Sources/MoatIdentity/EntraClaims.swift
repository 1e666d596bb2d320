import MoatJOSE
import MoatJSON

/// JSON types of the claims Microsoft Entra ID puts in access tokens, checked
/// so that no claim is read under two interpretations (for example `roles`
/// sent as the string `"Admin"` instead of an array).
enum EntraClaims {
    static let stringClaims = [
        "tid", "oid", "azp", "appid", "azpacr", "appidacr", "ver", "scp", "idtyp", "nonce", "name",
        "preferred_username", "upn", "unique_name", "uti", "email",
    ]
    static let stringArrayClaims = ["roles", "groups", "wids", "amr"]

    /// Rejects a token whose Entra claims have the wrong JSON type, with `invalid_claim_type`.
    static func checkTypes(_ claims: JSONObject) throws(TokenRejection) {
        for name in stringClaims {
            if let value = claims[name], value.stringValue == nil {
                throw typeError("the \(name) claim is not a string")
            }
        }
        for name in stringArrayClaims {
            if let value = claims[name], !isStringArray(value) {
                throw typeError("the \(name) claim is not an array of strings")
            }
        }
        if let value = claims["hasgroups"], value.boolValue == nil {
            throw typeError("the hasgroups claim is not a boolean")
        }
        if let value = claims["_claim_names"] {
            guard case .object(let names) = value, names.allSatisfy({ $0.value.stringValue != nil }) else {
                throw typeError("the _claim_names claim is not an object of strings")
            }
        }
        if let value = claims["_claim_sources"], value.objectValue == nil {
            throw typeError("the _claim_sources claim is not an object")
        }
    }

    /// True when the token says the user's groups did not fit in it: `_claim_names`
    /// names a `groups` source (JWT overage) or `hasgroups` is true.
    ///
    /// The endpoint in `_claim_sources` is never called: it comes from the token,
    /// and groups are looked up only at the configured directory endpoint.
    static func signalsGroupOverage(_ claims: JSONObject) -> Bool {
        if case .object(let names)? = claims["_claim_names"], names["groups"] != nil { return true }
        return claims["hasgroups"]?.boolValue == true
    }

    /// The claim as strings; `[]` when absent. Call after ``checkTypes(_:)``.
    static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private static func isStringArray(_ value: JSONValue) -> Bool {
        guard let list = value.arrayValue else { return false }
        return list.allSatisfy { $0.stringValue != nil }
    }

    private static func typeError(_ reason: String) -> TokenRejection {
        TokenRejection(.invalidToken, detailCode: JOSEError.Code.invalidClaimType.name, reason)
    }
}
