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

    /// The expected JSON type of each Entra claim, looked up once per claim in the token.
    private enum ExpectedType { case string, stringArray, bool, objectOfStrings, object }
    private static let expectedTypes: [String: ExpectedType] = {
        var types: [String: ExpectedType] = [:]
        for name in stringClaims { types[name] = .string }
        for name in stringArrayClaims { types[name] = .stringArray }
        types["hasgroups"] = .bool
        types["_claim_names"] = .objectOfStrings
        types["_claim_sources"] = .object
        return types
    }()

    /// Rejects a token whose Entra claims have the wrong JSON type, with `invalid_claim_type`.
    static func checkTypes(_ claims: JSONObject) throws(TokenRejection) {
        for (name, value) in claims {
            guard let expected = expectedTypes[name] else { continue }
            switch expected {
            case .string:
                guard value.stringValue != nil else { throw typeError("the \(name) claim is not a string") }
            case .stringArray:
                guard isStringArray(value) else { throw typeError("the \(name) claim is not an array of strings") }
            case .bool:
                guard value.boolValue != nil else { throw typeError("the \(name) claim is not a boolean") }
            case .objectOfStrings:
                guard case .object(let names) = value, names.allSatisfy({ $0.value.stringValue != nil }) else {
                    throw typeError("the \(name) claim is not an object of strings")
                }
            case .object:
                guard value.objectValue != nil else { throw typeError("the \(name) claim is not an object") }
            }
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
