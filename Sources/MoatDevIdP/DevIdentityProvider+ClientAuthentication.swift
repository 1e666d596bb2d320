import Foundation
import MoatCrypto
import MoatHTTP

/// Client authentication at the token endpoint. A client uses exactly one method:
/// - a secret in HTTP Basic or as `client_secret` in the body, not both (RFC 6749 §2.3.1);
/// - a signed assertion, `client_assertion_type` = `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
///   with `client_assertion` (RFC 7523 §2.2), checked by ``ClientAssertionVerifier``;
/// - nothing but `client_id`, for a public client registered with neither a secret nor a key.
extension DevIdentityProvider {
    struct ClientAuthenticationFailure: Error {
        let response: HTTPResponse
    }

    func authenticateClient(_ request: HTTPRequest, _ form: [String: String]) async -> Result<Directory.App, ClientAuthenticationFailure> {
        let usesAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let usesSecret = form["client_secret"] != nil || request.headers["Authorization"] != nil
        if usesAssertion && usesSecret {
            return failure("multiple_client_authentications", "use one client authentication method: a secret or a client assertion")
        }
        if usesAssertion {
            return await authenticateWithAssertion(form)
        }
        return authenticateWithSecret(request, form)
    }

    private func authenticateWithSecret(_ request: HTTPRequest, _ form: [String: String]) -> Result<Directory.App, ClientAuthenticationFailure> {
        var clientID = form["client_id"]
        var secret = form["client_secret"]
        if let authorization = request.headers["Authorization"] {
            guard secret == nil, authorization.hasPrefix("Basic "),
                  let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
                  let colon = decoded.firstIndex(of: ":")
            else {
                return failure("malformed_basic_authentication", "use either HTTP Basic or client_secret in the body")
            }
            // RFC 6749 §2.3.1: both parts are form-urlencoded, so "+" stands for a space.
            let basicID = String(decoded[..<colon]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            if let bodyID = clientID, bodyID != basicID {
                return failure("client_id_mismatch", "client_id in the body differs from HTTP Basic")
            }
            clientID = basicID
            secret = String(decoded[decoded.index(after: colon)...]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        guard let clientID, let client = directory.app(clientID: clientID) else {
            return failure("unknown_client", "client_id is missing or not registered")
        }
        if let registered = client.clientSecret {
            guard let secret, ConstantTime.equals(Digest.sha256(Data(secret.utf8)), Digest.sha256(Data(registered.utf8))) else {
                logger.warning("client authentication failed", metadata: ["moat.client.id": clientID])
                return failure("invalid_client_secret", "client authentication failed")
            }
            return .success(client)
        }
        if secret != nil {
            return failure("client_has_no_secret", "client \(client.name) has no secret; authenticate as registered")
        }
        if !client.credentials.isEmpty {
            return failure("client_assertion_required", "client \(client.name) authenticates with a signed client assertion")
        }
        return .success(client)
    }

    private func authenticateWithAssertion(_ form: [String: String]) async -> Result<Directory.App, ClientAuthenticationFailure> {
        let verifier = ClientAssertionVerifier(directory: directory, audiences: authorities.map(tokenEndpoint(for:)) + [issuer], now: clock.now())
        switch verifier.verify(type: form["client_assertion_type"], assertion: form["client_assertion"], clientID: form["client_id"]) {
        case .failure(let rejection):
            logger.warning("client assertion rejected", metadata: ["moat.client.id": form["client_id"] ?? "", "moat.auth.code": rejection.code])
            return failure(rejection.code, rejection.reason)
        case .success(let verified):
            guard await state.useAssertionID(verified.clientID + "|" + verified.assertionID, until: verified.expiresAt.addingTimeInterval(60)) else {
                logger.warning("client assertion replayed", metadata: ["moat.client.id": verified.clientID])
                return failure("client_assertion_replayed", "the client assertion's jti was already used; sign a new assertion for each request")
            }
            return .success(verified.client)
        }
    }

    private func failure(_ suberror: String, _ description: String) -> Result<Directory.App, ClientAuthenticationFailure> {
        .failure(ClientAuthenticationFailure(response: oauthError(401, "invalid_client", suberror, description)))
    }
}
