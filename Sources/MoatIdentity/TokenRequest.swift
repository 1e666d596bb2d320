import Foundation
import MoatHTTP
import MoatJSON

/// Builds and sends token endpoint requests with client authentication.
enum TokenRequest {
    /// A form POST to `endpoint` with `parameters` and the client's credential:
    /// HTTP Basic for a secret, or `client_id`, `client_assertion_type` and
    /// `client_assertion` in the body for a key or certificate.
    static func make(
        endpoint: URL, clientID: String, credential: ClientCredential, parameters: [(String, String)], now: Date
    ) throws -> HTTPClientRequest {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        headers.add("Accept", "application/json")
        var form = parameters
        if case .secret(let secret) = credential {
            let pair = FormEncoding.encodeComponent(clientID) + ":" + FormEncoding.encodeComponent(secret)
            headers.add("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())
        } else if let assertion = try ClientAssertion.make(
            credential: credential, clientID: clientID, audience: endpoint.absoluteString, now: now)
        {
            form += [("client_id", clientID), ("client_assertion_type", ClientAssertion.type), ("client_assertion", assertion)]
        }
        return HTTPClientRequest(
            method: "POST", url: endpoint, headers: headers, body: Data(FormEncoding.encode(form).utf8),
            timeout: 10, maxResponseBytes: 256 * 1024)
    }

    /// Sends the request and decodes a token response.
    ///
    /// - Throws: ``TokenRejection`` `token_request_failed`, with the OAuth
    ///   `error` code (RFC 6749 §5.2) as detail when the provider sent one.
    static func send(_ request: HTTPClientRequest, with http: HTTPClient) async throws -> TokenResponse {
        let response = try await http.send(request)
        guard response.status == 200 else {
            let oauthError = try? StrictJSON.decode(OAuthErrorResponse.self, from: response.body)
            let description = oauthError?.errorDescription.map { ": \($0.prefix(300))" } ?? ""
            throw TokenRejection(
                .tokenRequestFailed, detailCode: oauthError?.error,
                "the token endpoint returned HTTP \(response.status) \(oauthError?.error ?? "")\(description)")
        }
        do {
            return try StrictJSON.decode(TokenResponse.self, from: response.body)
        } catch {
            throw TokenRejection(.tokenRequestFailed, "the token endpoint's response is not a valid token response: \(error)")
        }
    }
}
