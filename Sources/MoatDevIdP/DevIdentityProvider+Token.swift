import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJSON

/// The token endpoint (RFC 6749 §3.2) with four grants: authorization_code
/// (PKCE S256 required), refresh_token (rotated, reuse revokes the family),
/// client_credentials (app roles only, no refresh token) and on-behalf-of.
/// Implicit and password grants are not supported (RFC 9700 §2.1.2, §2.4).
///
/// Every error response carries the OAuth `error` (RFC 6749 §5.2) and, as
/// Entra ID does for some errors, a `suberror`: a stable snake_case code that
/// names the exact rule that failed.
extension DevIdentityProvider {
    static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    func token(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.queryItems.isEmpty else {
            return oauthError(400, "invalid_request", "parameters_in_query", "send token request parameters in the form body, never in the URL")
        }
        let form: [String: String]
        do {
            form = try request.formValues()
        } catch {
            return oauthError(400, "invalid_request", "malformed_form", "the body must be application/x-www-form-urlencoded without repeated parameters")
        }
        let client: Directory.App
        switch await authenticateClient(request, form) {
        case .success(let authenticated): client = authenticated
        case .failure(let failure):
            var metadata: Logger.Metadata = ["moat.auth.code": failure.suberror, "moat.request.id": request.requestID]
            if let clientID = failure.clientID { metadata["moat.client.id"] = String(clientID.prefix(80)) }
            logger.warning("client authentication failed", metadata: metadata)
            return failure.response
        }
        switch form["grant_type"] {
        case "authorization_code": return await redeemCode(form, client: client, requestID: request.requestID)
        case "refresh_token": return await redeemRefreshToken(form, client: client, requestID: request.requestID)
        case "client_credentials": return clientCredentials(form, client: client, requestID: request.requestID)
        case Self.jwtBearerGrant?: return await onBehalfOf(form, client: client, requestID: request.requestID)
        case nil: return oauthError(400, "invalid_request", "missing_grant_type", "grant_type is missing")
        case let other?: return oauthError(400, "unsupported_grant_type", "unsupported_grant_type", "grant_type \(other.prefix(80)) is not supported")
        }
    }

    private func redeemCode(_ form: [String: String], client: Directory.App, requestID: String) async -> HTTPResponse {
        guard let code = form["code"], let verifier = form["code_verifier"], let redirectURI = form["redirect_uri"] else {
            return oauthError(400, "invalid_request", "missing_parameter", "code, code_verifier and redirect_uri are required")
        }
        let familyID = SecureRandom.token(byteCount: 16)
        let grant: AuthorizationCodeGrant
        let redemption: IdentityProviderState.CodeRedemption
        do {
            redemption = try await state.redeemCode(code, familyID: familyID)
        } catch {
            return refreshStoreFailure(error, requestID: requestID)
        }
        switch redemption {
        case .valid(let valid): grant = valid
        case .unknownOrExpired: return oauthError(400, "invalid_grant", "code_invalid_or_expired", "the code is invalid or expired")
        case .replayed:
            logger.warning("authorization code replayed; its tokens are revoked", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return oauthError(400, "invalid_grant", "code_replayed", "the code was already used")
        }
        guard grant.clientID == client.clientID else {
            return oauthError(400, "invalid_grant", "client_mismatch", "the code was issued to another client")
        }
        guard grant.redirectURI == redirectURI else {
            return oauthError(400, "invalid_grant", "redirect_uri_mismatch", "redirect_uri differs from the one in the authorization request")
        }
        guard PKCE.isWellFormedVerifier(verifier) else {
            return oauthError(400, "invalid_grant", "malformed_code_verifier", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
        }
        guard ConstantTime.equals(PKCE.challenge(for: verifier), grant.codeChallenge) else {
            return oauthError(400, "invalid_grant", "pkce_mismatch", "code_verifier does not match the code_challenge")
        }
        guard let user = directory.user(objectID: grant.userObjectID) else {
            return oauthError(400, "invalid_grant", "unknown_user", "the user no longer exists")
        }
        return await issueUserTokens(user: user, client: client, scopes: grant.scopes, nonce: grant.nonce, familyID: familyID)
    }

    private func redeemRefreshToken(_ form: [String: String], client: Directory.App, requestID: String) async -> HTTPResponse {
        guard let token = form["refresh_token"] else {
            return oauthError(400, "invalid_request", "missing_parameter", "refresh_token is required")
        }
        let redemption: IdentityProviderState.RefreshRedemption
        do {
            redemption = try await state.redeemRefreshToken(token)
        } catch {
            return refreshStoreFailure(error, requestID: requestID)
        }
        switch redemption {
        case .invalid:
            return oauthError(400, "invalid_grant", "refresh_token_invalid", "the refresh token is invalid, expired or revoked")
        case .reused:
            logger.warning("refresh token reused; its family is revoked", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return oauthError(400, "invalid_grant", "refresh_token_reused", "the refresh token was already used")
        case .valid(let grant):
            guard grant.clientID == client.clientID, let user = directory.user(objectID: grant.userObjectID) else {
                return oauthError(400, "invalid_grant", "client_mismatch", "the refresh token was issued to another client")
            }
            return await issueUserTokens(user: user, client: client, scopes: grant.scopes, nonce: nil, familyID: grant.familyID)
        }
    }

    func issueUserTokens(user: Directory.User, client: Directory.App, scopes: [String], nonce: String?, familyID: String?) async -> HTTPResponse {
        let now = clock.now()
        let resourceScopes = scopes.compactMap { directory.resourceApp(forScope: $0) }
        do {
            var body: JSONObject = ["token_type": "Bearer", "expires_in": .integer(Int64(minter.lifetime))]
            // Without a resource scope Entra ID issues a token for Microsoft Graph; here the
            // client itself is the audience, which no Moat API accepts.
            let resource = resourceScopes.first?.app ?? client
            let grantedScopes = resourceScopes.isEmpty ? ["openid"] : resourceScopes.map(\.scope)
            body["access_token"] = .string(try minter.delegatedAccessToken(
                user: user, client: client, resource: resource, scopes: grantedScopes, baseURL: baseURL, now: now
            ))
            body["scope"] = .string(scopes.joined(separator: " "))
            if scopes.contains("openid") {
                body["id_token"] = .string(try minter.idToken(user: user, client: client, nonce: nonce, baseURL: baseURL, now: now))
            }
            if scopes.contains("offline_access"), let familyID {
                let grant = RefreshGrant(familyID: familyID, clientID: client.clientID, scopes: scopes, userObjectID: user.objectID, issuedAt: now)
                do {
                    body["refresh_token"] = .string(try await state.issueRefreshToken(grant))
                } catch {
                    return refreshStoreFailure(error, requestID: nil)
                }
            }
            return tokenResponse(body)
        } catch {
            logger.error("token signing failed", metadata: ["moat.error": "\(error)"])
            return oauthError(500, "server_error", "signing_failed", "the token could not be signed")
        }
    }

    /// Logs a failure of the refresh grant file and returns OAuth's `server_error`.
    private func refreshStoreFailure(_ error: any Error, requestID: String?) -> HTTPResponse {
        var metadata: Logger.Metadata = ["moat.error": "\(error)"]
        if let requestID { metadata["moat.request.id"] = requestID }
        logger.error("refresh token store failed", metadata: metadata)
        return oauthError(500, "server_error", "refresh_store_failed", "the refresh token store failed; check that the data folder is writable")
    }

    private func clientCredentials(_ form: [String: String], client: Directory.App, requestID: String) -> HTTPResponse {
        guard client.isConfidential else {
            return oauthError(400, "unauthorized_client", "public_client", "a public client cannot use client_credentials")
        }
        guard let scope = form["scope"], scope.hasSuffix("/.default"),
              let (resource, _) = directory.resourceApp(forScope: scope)
        else {
            return oauthError(400, "invalid_scope", "scope_not_default", "scope must be the resource's App ID URI or client id followed by /.default")
        }
        do {
            let token = try minter.appOnlyAccessToken(client: client, resource: resource, baseURL: baseURL, now: clock.now())
            logger.info("app-only token issued", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return tokenResponse(["access_token": .string(token), "token_type": "Bearer", "expires_in": .integer(Int64(minter.lifetime))])
        } catch {
            logger.error("token signing failed", metadata: ["moat.error": "\(error)"])
            return oauthError(500, "server_error", "signing_failed", "the token could not be signed")
        }
    }

    func tokenResponse(_ body: JSONObject) -> HTTPResponse {
        var response = HTTPResponse.json(data: JSONValue.object(body).serialized())
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Pragma", "no-cache")
        return response
    }

    /// An OAuth error response (RFC 6749 §5.2) with a `suberror` naming the failed rule.
    func oauthError(_ status: Int, _ error: String, _ suberror: String, _ description: String) -> HTTPResponse {
        var response = HTTPResponse.json(
            data: JSONValue.object([
                "error": .string(error), "error_description": .string(description), "suberror": .string(suberror),
            ]).serialized(),
            status: status
        )
        response.headers.set("Cache-Control", "no-store")
        if status == 401 { response.headers.set("WWW-Authenticate", "Basic realm=\"moat-idp\"") }
        return response
    }
}
