import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJSON

/// The token endpoint (RFC 6749 §3.2) with three grants: authorization_code
/// (PKCE S256 required), refresh_token (rotated, reuse revokes the family)
/// and client_credentials (app roles only, no refresh token). Implicit and
/// password grants are not supported (RFC 9700 §2.1.2, §2.4).
extension DevIdentityProvider {
    func token(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.queryItems.isEmpty else {
            return oauthError(400, "invalid_request", "send token request parameters in the form body, never in the URL")
        }
        let form: [String: String]
        do {
            form = try request.formValues()
        } catch {
            return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded without repeated parameters")
        }
        let client: Directory.App
        switch authenticateClient(request, form) {
        case .success(let authenticated): client = authenticated
        case .failure(let failure): return failure.response
        }
        switch form["grant_type"] {
        case "authorization_code": return await redeemCode(form, client: client, requestID: request.requestID)
        case "refresh_token": return await redeemRefreshToken(form, client: client, requestID: request.requestID)
        case "client_credentials": return clientCredentials(form, client: client, requestID: request.requestID)
        case nil: return oauthError(400, "invalid_request", "grant_type is missing")
        case let other?: return oauthError(400, "unsupported_grant_type", "grant_type \(other) is not supported")
        }
    }

    struct ClientAuthenticationFailure: Error {
        let response: HTTPResponse
    }

    /// Client authentication by HTTP Basic or by `client_id`/`client_secret`
    /// in the body, not both (RFC 6749 §2.3.1). A client registered without a
    /// secret is public and sends only `client_id`.
    private func authenticateClient(_ request: HTTPRequest, _ form: [String: String]) -> Result<Directory.App, ClientAuthenticationFailure> {
        var clientID = form["client_id"]
        var secret = form["client_secret"]
        if let authorization = request.headers["Authorization"] {
            guard secret == nil, authorization.hasPrefix("Basic "),
                  let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
                  let colon = decoded.firstIndex(of: ":")
            else {
                return .failure(.init(response: oauthError(401, "invalid_client", "use either HTTP Basic or client_secret in the body")))
            }
            let basicID = String(decoded[..<colon]).removingPercentEncoding ?? ""
            if let bodyID = clientID, bodyID != basicID {
                return .failure(.init(response: oauthError(401, "invalid_client", "client_id in the body differs from HTTP Basic")))
            }
            clientID = basicID
            secret = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding
        }
        guard let clientID, let client = directory.app(clientID: clientID) else {
            return .failure(.init(response: oauthError(401, "invalid_client", "client_id is missing or not registered")))
        }
        if let registered = client.clientSecret {
            guard let secret, ConstantTime.equals(Digest.sha256(Data(secret.utf8)), Digest.sha256(Data(registered.utf8))) else {
                logger.warning("client authentication failed", metadata: ["moat.client.id": clientID])
                return .failure(.init(response: oauthError(401, "invalid_client", "client authentication failed")))
            }
        } else if secret != nil {
            return .failure(.init(response: oauthError(401, "invalid_client", "client \(client.name) is public and has no secret")))
        }
        return .success(client)
    }

    private func redeemCode(_ form: [String: String], client: Directory.App, requestID: String) async -> HTTPResponse {
        guard let code = form["code"], let verifier = form["code_verifier"], let redirectURI = form["redirect_uri"] else {
            return oauthError(400, "invalid_request", "code, code_verifier and redirect_uri are required")
        }
        let familyID = SecureRandom.token(byteCount: 16)
        let grant: AuthorizationCodeGrant
        switch await state.redeemCode(code, familyID: familyID) {
        case .valid(let valid): grant = valid
        case .unknownOrExpired: return oauthError(400, "invalid_grant", "the code is invalid or expired")
        case .replayed:
            logger.warning("authorization code replayed; its tokens are revoked", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return oauthError(400, "invalid_grant", "the code was already used")
        }
        guard grant.clientID == client.clientID, grant.redirectURI == redirectURI else {
            return oauthError(400, "invalid_grant", "the code was issued to another client or redirect_uri")
        }
        guard PKCE.isWellFormedVerifier(verifier),
              ConstantTime.equals(PKCE.challenge(for: verifier), grant.codeChallenge)
        else {
            return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge")
        }
        guard let user = directory.user(objectID: grant.userObjectID) else {
            return oauthError(400, "invalid_grant", "the user no longer exists")
        }
        return await issueUserTokens(user: user, client: client, scopes: grant.scopes, nonce: grant.nonce, familyID: familyID)
    }

    private func redeemRefreshToken(_ form: [String: String], client: Directory.App, requestID: String) async -> HTTPResponse {
        guard let token = form["refresh_token"] else {
            return oauthError(400, "invalid_request", "refresh_token is required")
        }
        switch await state.redeemRefreshToken(token) {
        case .invalid:
            return oauthError(400, "invalid_grant", "the refresh token is invalid, expired or revoked")
        case .reused:
            logger.warning("refresh token reused; its family is revoked", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return oauthError(400, "invalid_grant", "the refresh token was already used")
        case .valid(let grant):
            guard grant.clientID == client.clientID, let user = directory.user(objectID: grant.userObjectID) else {
                return oauthError(400, "invalid_grant", "the refresh token was issued to another client")
            }
            return await issueUserTokens(user: user, client: client, scopes: grant.scopes, nonce: nil, familyID: grant.familyID)
        }
    }

    private func issueUserTokens(user: Directory.User, client: Directory.App, scopes: [String], nonce: String?, familyID: String) async -> HTTPResponse {
        let now = clock.now()
        let resourceScopes = scopes.compactMap { directory.resourceApp(forScope: $0) }
        do {
            var body: JSONObject = ["token_type": "Bearer", "expires_in": .integer(Int64(minter.lifetime))]
            if let resource = resourceScopes.first?.app {
                body["access_token"] = .string(try minter.delegatedAccessToken(
                    user: user, client: client, resource: resource, scopes: resourceScopes.map(\.scope), issuer: issuer, now: now
                ))
                body["scope"] = .string(scopes.joined(separator: " "))
            } else {
                // Without a resource scope Entra ID issues a token for Microsoft Graph; here the
                // client itself is the audience, which no Moat API accepts.
                body["access_token"] = .string(try minter.delegatedAccessToken(
                    user: user, client: client, resource: client, scopes: ["openid"], issuer: issuer, now: now
                ))
                body["scope"] = .string(scopes.joined(separator: " "))
            }
            if scopes.contains("openid") {
                body["id_token"] = .string(try minter.idToken(user: user, client: client, nonce: nonce, issuer: issuer, now: now))
            }
            if scopes.contains("offline_access") {
                body["refresh_token"] = .string(await state.issueRefreshToken(RefreshGrant(
                    familyID: familyID, clientID: client.clientID, scopes: scopes, userObjectID: user.objectID, issuedAt: now
                )))
            }
            return tokenResponse(body)
        } catch {
            logger.error("token signing failed", metadata: ["moat.error": "\(error)"])
            return oauthError(500, "server_error", "the token could not be signed")
        }
    }

    private func clientCredentials(_ form: [String: String], client: Directory.App, requestID: String) -> HTTPResponse {
        guard client.clientSecret != nil else {
            return oauthError(400, "unauthorized_client", "a public client cannot use client_credentials")
        }
        guard let scope = form["scope"], scope.hasSuffix("/.default"),
              let (resource, _) = directory.resourceApp(forScope: scope)
        else {
            return oauthError(400, "invalid_scope", "scope must be the resource's App ID URI or client id followed by /.default")
        }
        do {
            let token = try minter.appOnlyAccessToken(client: client, resource: resource, issuer: issuer, now: clock.now())
            logger.info("app-only token issued", metadata: ["moat.request.id": requestID, "moat.client.id": client.clientID])
            return tokenResponse(["access_token": .string(token), "token_type": "Bearer", "expires_in": .integer(Int64(minter.lifetime))])
        } catch {
            logger.error("token signing failed", metadata: ["moat.error": "\(error)"])
            return oauthError(500, "server_error", "the token could not be signed")
        }
    }

    private func tokenResponse(_ body: JSONObject) -> HTTPResponse {
        var response = HTTPResponse.json(data: JSONValue.object(body).serialized())
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Pragma", "no-cache")
        return response
    }

    func oauthError(_ status: Int, _ error: String, _ description: String) -> HTTPResponse {
        var response = HTTPResponse.json(
            data: JSONValue.object(["error": .string(error), "error_description": .string(description)]).serialized(),
            status: status
        )
        response.headers.set("Cache-Control", "no-store")
        if status == 401 { response.headers.set("WWW-Authenticate", "Basic realm=\"moat-idp\"") }
        return response
    }
}
