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
        /// The `suberror` of the response, for the log.
        let suberror: String
        /// The client id the request named, when it named one.
        let clientID: String?
    }

    func authenticateClient(_ request: HTTPRequest, _ form: [String: String]) async -> Result<Directory.App, ClientAuthenticationFailure> {
        let usesAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let usesSecret = form["client_secret"] != nil || request.headers["Authorization"] != nil
        if usesAssertion && usesSecret {
            return failure("multiple_client_authentications", "use one client authentication method: a secret or a client assertion", clientID: form["client_id"])
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
                if secret != nil {
                    return failure(
                        "multiple_client_secrets", "send the client secret once: either HTTP Basic or client_secret in the body", clientID: clientID)
                }
                return failure(
                    "malformed_basic_authentication", "the Authorization header is not HTTP Basic with base64 of client_id:client_secret",
                    clientID: clientID)
            }
            // RFC 6749 §2.3.1: both parts are form-urlencoded, so "+" stands for a space.
            let basicID = String(decoded[..<colon]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            if let bodyID = clientID, bodyID != basicID {
                return failure("client_id_mismatch", "client_id in the body differs from HTTP Basic", clientID: basicID)
            }
            clientID = basicID
            secret = String(decoded[decoded.index(after: colon)...]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        guard let clientID, let client = directory.app(clientID: clientID) else {
            return failure("unknown_client", "client_id is missing or not registered", clientID: clientID)
        }
        if let registered = client.clientSecret {
            guard let secret else {
                return failure(
                    "missing_client_secret", "client \(client.name) is confidential; send its secret in HTTP Basic or as client_secret",
                    clientID: clientID)
            }
            guard ConstantTime.equals(Digest.sha256(Data(secret.utf8)), Digest.sha256(Data(registered.utf8))) else {
                return failure("invalid_client_secret", "client authentication failed", clientID: clientID)
            }
            var authenticated = client
            authenticated.authenticatedWith = .secret
            return .success(authenticated)
        }
        if secret != nil {
            return failure("client_has_no_secret", "client \(client.name) has no secret; authenticate as registered", clientID: clientID)
        }
        if !client.credentials.isEmpty {
            return failure("client_assertion_required", "client \(client.name) authenticates with a signed client assertion", clientID: clientID)
        }
        var authenticated = client
        authenticated.authenticatedWith = Directory.ClientAuthenticationMethod.none
        return .success(authenticated)
    }

    private func authenticateWithAssertion(_ form: [String: String]) async -> Result<Directory.App, ClientAuthenticationFailure> {
        let verifier = ClientAssertionVerifier(directory: directory, audiences: authorities.map(tokenEndpoint(for:)) + [issuer], now: clock.now())
        switch verifier.verify(type: form["client_assertion_type"], assertion: form["client_assertion"], clientID: form["client_id"]) {
        case .failure(let rejection):
            return failure(rejection.code, rejection.reason, clientID: form["client_id"])
        case .success(let verified):
            guard await state.useAssertionID(verified.clientID + "|" + verified.assertionID, until: verified.expiresAt.addingTimeInterval(60)) else {
                return failure(
                    "client_assertion_replayed", "the client assertion's jti was already used; sign a new assertion for each request",
                    clientID: verified.clientID)
            }
            var authenticated = verified.client
            authenticated.authenticatedWith = .assertion
            return .success(authenticated)
        }
    }

    private func failure(_ suberror: String, _ description: String, clientID: String?) -> Result<Directory.App, ClientAuthenticationFailure> {
        .failure(ClientAuthenticationFailure(response: oauthError(401, "invalid_client", suberror, description), suberror: suberror, clientID: clientID))
    }
}
