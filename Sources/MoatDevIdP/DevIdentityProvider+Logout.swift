import Foundation
import MoatHTTP
import MoatJOSE
import MoatJSON

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3): the
/// browser is sent back only to a `post_logout_redirect_uri` registered for
/// the client named by `client_id` or by the `id_token_hint`'s audience.
/// The provider keeps no single-sign-on session, so there is nothing else to end.
extension DevIdentityProvider {
    func logout(_ request: HTTPRequest) -> HTTPResponse {
        let target = request.queryValue("post_logout_redirect_uri")
        var clientID = request.queryValue("client_id")
        if clientID == nil, let hint = request.queryValue("id_token_hint"),
           let parsed = try? CompactJWS.parse(hint),
           let claims = try? JSONValue.parse(parsed.payload) {
            // The hint only names the client; the redirect is still checked against registration.
            clientID = claims["aud"]?.stringValue
        }
        if let target, let clientID, let client = directory.app(clientID: clientID),
           client.postLogoutRedirectURIs.contains(target) {
            var pairs: [(String, String)] = []
            if let state = request.queryValue("state") { pairs.append(("state", state)) }
            return .redirect(to: pairs.isEmpty ? target : append(pairs, to: target), status: 303)
        }
        var response = HTTPResponse.html(LoginPage.renderSignedOut())
        addPageHeaders(&response)
        return response
    }
}
