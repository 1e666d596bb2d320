import Foundation
import MoatHTTP
import MoatJOSE
import MoatJSON

/// The on-behalf-of grant, as Entra ID runs it on RFC 7523 §2.1: a middle-tier
/// API exchanges the user's access token (`assertion`) for a token to a
/// downstream API that still names the same user, so the downstream API
/// applies the user's own permissions.
///
/// Rules: `requested_token_use` is `on_behalf_of`; the requesting client is
/// confidential and authenticated; the assertion is a valid token from this
/// provider whose audience is the requesting client; it is a delegated token
/// (app-only tokens are rejected); and `scope` names one resource. The new
/// token keeps the user's `oid` and `tid` and names the middle tier in `azp`.
extension DevIdentityProvider {
    func onBehalfOf(_ form: [String: String], client: Directory.App, requestID: String) async -> HTTPResponse {
        guard form["requested_token_use"] == "on_behalf_of" else {
            return oauthError(400, "invalid_request", "unsupported_requested_token_use", "requested_token_use must be on_behalf_of")
        }
        guard client.isConfidential else {
            return oauthError(400, "unauthorized_client", "public_client", "a public client cannot use the on-behalf-of flow")
        }
        guard let assertion = form["assertion"], let scopeText = form["scope"] else {
            return oauthError(400, "invalid_request", "missing_parameter", "assertion and scope are required")
        }
        let claims: JSONObject
        do {
            claims = try incomingTokenVerifier(audiences: [client.clientID] + (client.identifierURI.map { [$0] } ?? []))
                .verify(assertion, now: clock.now()).claims
        } catch {
            return oauthError(400, "invalid_grant", error.code.name, "the assertion is not a valid access token for this client: \(error.reason)")
        }
        guard claims["idtyp"]?.stringValue != "app", claims["scp"]?.stringValue != nil else {
            return oauthError(400, "invalid_grant", "app_only_assertion", "the assertion is an app-only token; on-behalf-of needs a user's delegated token")
        }
        guard let objectID = claims["oid"]?.stringValue, let user = directory.user(objectID: objectID) else {
            return oauthError(400, "invalid_grant", "unknown_user", "the assertion's user is not in the directory")
        }
        let scopes = expandDefaultScopes(scopeText.split(separator: " ").map(String.init))
        if let problem = scopeProblem(scopes) {
            return oauthError(400, "invalid_scope", "invalid_scope", problem)
        }
        guard scopes.contains(where: { directory.resourceApp(forScope: $0) != nil }) else {
            return oauthError(400, "invalid_scope", "missing_resource_scope", "scope must name the downstream API, for example api://moat-api/.default")
        }
        logger.info("on-behalf-of token issued", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID, "moat.user.oid": objectID])
        return await issueUserTokens(user: user, client: client, scopes: scopes, nonce: nil, familyID: nil)
    }

    /// Replaces `resource/.default` with every scope the resource exposes.
    private func expandDefaultScopes(_ scopes: [String]) -> [String] {
        scopes.flatMap { scope -> [String] in
            guard scope.hasSuffix("/.default"), let (app, _) = directory.resourceApp(forScope: scope) else { return [scope] }
            let prefix = String(scope.dropLast("/.default".count))
            return app.scopes.map { "\(prefix)/\($0)" }
        }
    }

    /// Verifies tokens this provider issued (v2.0 or v1.0 issuer) for one of `audiences`.
    func incomingTokenVerifier(audiences: [String]) throws(JOSEError) -> JWTVerifier {
        let keySet = try JSONWebKeySet(keys: keyRing.publishedKeys())
        let policy = JWTValidationPolicy(
            issuers: directory.tenants.flatMap { tenant in
                [IssuerPattern(minter.issuer(baseURL: baseURL, tenantID: tenant.id)), IssuerPattern(minter.v1Issuer(baseURL: baseURL, tenantID: tenant.id))]
            }, audiences: audiences,
            allowedAlgorithms: [keyRing.current.algorithm], requiredClaims: ["iat", "oid", "tid"])
        return JWTVerifier(keySet: keySet, policy: policy)
    }
}
