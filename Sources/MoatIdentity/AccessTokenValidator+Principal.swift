import Foundation
import MoatJOSE
import MoatJSON

extension AccessTokenValidator {
    /// Steps 3 to 6 of validation on a token whose signature and registered claims passed.
    /// `groupsOverage` is true when the groups must be looked up (step 7).
    func principal(from token: VerifiedJWT) throws(TokenRejection) -> (principal: Principal, groupsOverage: Bool) {
        let claims = EntraClaimSet(token.claimIndex)
        try EntraClaims.checkTypes(claims)
        let version = try tokenVersion(claims)

        if claims.contains(.nonce) {
            throw TokenRejection(.notAnAccessToken, "the token carries a nonce, so it is an ID token; send an access token for this API")
        }
        // checkTypes has rejected a scp that is not a string and roles or groups that are not string arrays.
        let scopeText = claims.string(.scope)
        let roles = claims.strings(.roles) ?? []
        guard scopeText != nil || !roles.isEmpty else {
            throw TokenRejection(
                .notAnAccessToken,
                "the token has neither scp nor roles. An app-only (client credentials) token without roles means the calling app "
                    + "has no app role on this API: assign it one (in Entra ID an app role assignment, in the dev IdP's directory "
                    + "an [[assignments]] entry), then request a new token")
        }

        guard let tenantID = claims.string(.tenantID), let objectID = claims.string(.objectID),
              !tenantID.isEmpty, !objectID.isEmpty
        else {
            throw TokenRejection(.missingIdentity, "the token lacks a tid or oid string claim")
        }
        guard effectiveTenants.contains(tenantID) else {
            throw TokenRejection(.tenantNotAllowed, "tenant \(tenantID) is not allowed to call this API; add it to \(policy.settingsSection).allowed_tenants")
        }

        let clientClaim: EntraClaims.Claim = version == .v2 ? .authorizedParty : .applicationID
        let clientAppID = claims.string(clientClaim)
        guard let clientAppID, policy.allowedClientApps.contains(clientAppID) else {
            throw TokenRejection(
                .clientNotAllowed,
                "calling application \(clientAppID ?? "(no \(clientClaim.name) claim)") is not allowed; add its client id to \(policy.settingsSection).allowed_client_apps"
            )
        }

        let isAppOnly = claims.position(.identityType).map { claims.index.stringEquals(at: $0, "app") } == true
            || (scopeText == nil && !roles.isEmpty)
        let groups = claims.strings(.groups)
        let overage = groups == nil && EntraClaims.signalsGroupOverage(claims)
        let principal = Principal(
            kind: isAppOnly ? .application : .user,
            tenantID: tenantID,
            objectID: objectID,
            name: claims.string(.name),
            username: claims.string(.preferredUsername) ?? claims.string(.userPrincipalName),
            clientAppID: clientAppID,
            roles: roles,
            groups: groups ?? [],
            scopes: scopeText.map(Self.scopeList) ?? []
        )
        return (principal, overage)
    }

    /// Splits `scp` at spaces, dropping empty parts. Text without a space byte
    /// has no space character either, so it is the list's only entry without
    /// the cost of splitting, which is the usual single-scope case.
    static func scopeList(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        if !text.utf8.contains(UInt8(ascii: " ")) { return [text] }
        return text.split(separator: " ").map(String.init)
    }

    /// The token's `ver`, which must be a configured version whose issuer is the token's `iss`.
    private func tokenVersion(_ claims: EntraClaimSet) throws(TokenRejection) -> EntraTokenVersion {
        guard let text = claims.string(.version), let version = EntraTokenVersion(rawValue: text) else {
            throw TokenRejection(.unsupportedTokenVersion, "the token's ver claim is not \"2.0\" or \"1.0\"; request an access token for this API")
        }
        guard let pattern = issuerPatterns.first(where: { $0.version == version })?.pattern else {
            throw TokenRejection(
                .unsupportedTokenVersion,
                "the token has ver \(text), which this API does not accept; set \(policy.settingsSection).v1_issuer or request a v2.0 token")
        }
        // The JOSE layer accepted `iss` for some configured version; it must be this token's version.
        let tenantID = pattern.isTenantTemplate ? claims.string(.tenantID) : nil
        let issuerMatches = pattern.expectedIssuer(tenantID: tenantID).map { expected in
            claims.position(.issuer).map { claims.index.stringEquals(at: $0, expected) } ?? false
        }
        guard issuerMatches == true else {
            throw TokenRejection(
                .invalidToken, detailCode: JOSEError.Code.issuerMismatch.name,
                "the token's issuer belongs to another token version than its ver \(text)")
        }
        return version
    }
}
