import Foundation
import MoatJOSE
import MoatJSON

extension AccessTokenValidator {
    /// Steps 3 to 6 of validation on a token whose signature and registered claims passed.
    /// `groupsOverage` is true when the groups must be looked up (step 7).
    func principal(from token: VerifiedJWT) throws(TokenRejection) -> (principal: Principal, groupsOverage: Bool) {
        let claims = token.claims
        try EntraClaims.checkTypes(claims)
        let version = try tokenVersion(claims)

        if claims["nonce"] != nil {
            throw TokenRejection(.notAnAccessToken, "the token carries a nonce, so it is an ID token; send an access token for this API")
        }
        let scopeText = claims["scp"]?.stringValue
        let roles = EntraClaims.strings(claims["roles"])
        guard scopeText != nil || !roles.isEmpty else {
            throw TokenRejection(.notAnAccessToken, "the token has neither scp nor roles, so it is not an access token for this API")
        }

        guard let tenantID = claims["tid"]?.stringValue, let objectID = claims["oid"]?.stringValue,
              !tenantID.isEmpty, !objectID.isEmpty
        else {
            throw TokenRejection(.missingIdentity, "the token lacks a tid or oid string claim")
        }
        guard effectiveTenants.contains(tenantID) else {
            throw TokenRejection(.tenantNotAllowed, "tenant \(tenantID) is not allowed to call this API; add it to the API's allowed tenants")
        }

        let clientClaim = version == .v2 ? "azp" : "appid"
        let clientAppID = claims[clientClaim]?.stringValue
        guard let clientAppID, policy.allowedClientApps.contains(clientAppID) else {
            throw TokenRejection(
                .clientNotAllowed,
                "calling application \(clientAppID ?? "(no \(clientClaim) claim)") is not allowed; add its client id to the API's allowed client apps"
            )
        }

        let isAppOnly = claims["idtyp"]?.stringValue == "app" || (scopeText == nil && !roles.isEmpty)
        let overage = claims["groups"] == nil && EntraClaims.signalsGroupOverage(claims)
        let principal = Principal(
            kind: isAppOnly ? .application : .user,
            tenantID: tenantID,
            objectID: objectID,
            name: claims["name"]?.stringValue,
            username: claims["preferred_username"]?.stringValue ?? claims["upn"]?.stringValue,
            clientAppID: clientAppID,
            roles: roles,
            groups: EntraClaims.strings(claims["groups"]),
            scopes: scopeText.map { $0.split(separator: " ").map(String.init) } ?? []
        )
        return (principal, overage)
    }

    /// The token's `ver`, which must be a configured version whose issuer is the token's `iss`.
    private func tokenVersion(_ claims: JSONObject) throws(TokenRejection) -> EntraTokenVersion {
        guard let text = claims["ver"]?.stringValue, let version = EntraTokenVersion(rawValue: text) else {
            throw TokenRejection(.unsupportedTokenVersion, "the token's ver claim is not \"2.0\" or \"1.0\"; request an access token for this API")
        }
        guard let pattern = issuerPatterns.first(where: { $0.version == version })?.pattern else {
            throw TokenRejection(
                .unsupportedTokenVersion,
                "the token has ver \(text), which this API does not accept; set the API's v1 issuer or request a v2.0 token")
        }
        // The JOSE layer accepted `iss` for some configured version; it must be this token's version.
        guard pattern.expectedIssuer(for: claims) == claims["iss"]?.stringValue else {
            throw TokenRejection(
                .invalidToken, detailCode: JOSEError.Code.issuerMismatch.name,
                "the token's issuer belongs to another token version than its ver \(text)")
        }
        return version
    }
}
