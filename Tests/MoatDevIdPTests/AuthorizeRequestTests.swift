import Foundation
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import Testing

/// The authorization request before the login page: client, redirect URI,
/// response type and PKCE (RFC 9700 §2.1, §4.1; RFC 7636 §4).
@Suite("Authorization request")
struct AuthorizeRequestTests {
    let harness: IdentityProviderHarness
    let spa: Directory.App
    let pkce = PKCE()

    init() throws {
        harness = try IdentityProviderHarness()
        spa = try harness.app("test-spa")
    }

    private func authorize(_ parameters: [(String, String)]) async -> HTTPResponse {
        await harness.get(harness.authorizePath, query: parameters)
    }

    @Test("valid request shows the login page")
    func validRequestShowsLogin() async throws {
        let response = await authorize(harness.authorizeParameters(client: spa, pkce: pkce))

        #expect(response.status == 200)
        #expect(response.hiddenField("transaction") != nil)
        #expect(response.headers["Location"] == nil)
    }

    @Test("unknown client gets an error page")
    func unknownClientGetsErrorPage() async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce)
            .setting("client_id", "00000000-0000-0000-0000-000000000000")

        let response = await authorize(parameters)

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    @Test("missing client_id gets an error page")
    func missingClientGetsErrorPage() async {
        let response = await authorize(harness.authorizeParameters(client: spa, pkce: pkce).setting("client_id", nil))

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    /// Variants of the registered `https://app.example/cb`; only an exact match may be redirected to.
    @Test("unregistered redirect URI gets an error page", arguments: [
        "https://app.example/cb/../x",
        "https://app.example/cb/../cb",
        "https://app.example/cb?x",
        "https://app.example/cb?code=attacker",
        "https://app.example/cb#",
        "https://app.example/cb#x",
        "https://app.example/cb/",
        "https://app.example/c",
        "https://app.example/cbx",
        "https://app.example/cb.evil",
        "https://app.example.evil/cb",
        "https://evil.app.example/cb",
        "https://app.example:443/cb",
        "https://app.example:8443/cb",
        "http://app.example/cb",
        "HTTPS://APP.EXAMPLE/cb",
        "https://APP.EXAMPLE/cb",
        "https://app.example/CB",
        "https://app.example/%63b",
        "https://app.example%2F@evil/cb",
        "https://app.example@evil/cb",
        "https://evil#app.example/cb",
        " https://app.example/cb",
        "https://app.example/cb ",
        "",
    ])
    func unregisteredRedirectURIGetsErrorPage(redirectURI: String) async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("redirect_uri", redirectURI)

        let response = await authorize(parameters)

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    @Test("missing redirect URI gets an error page")
    func missingRedirectURIGetsErrorPage() async {
        let response = await authorize(harness.authorizeParameters(client: spa, pkce: pkce).setting("redirect_uri", nil))

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    @Test("another client's redirect URI gets an error page")
    func otherClientsRedirectURIGetsErrorPage() async throws {
        let webRedirect = try #require(try harness.app("moat-web").redirectURIs.first)
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("redirect_uri", webRedirect)

        let response = await authorize(parameters)

        #expect(response.status == 400)
        #expect(response.headers["Location"] == nil)
    }

    @Test("implicit response types are unsupported", arguments: ["token", "id_token", "id_token token", "code token", ""])
    func implicitResponseTypeIsUnsupported(responseType: String) async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("response_type", responseType)

        let response = await authorize(parameters)

        #expect(response.status == 303)
        #expect(response.headers["Location"]?.hasPrefix(TestDirectory.publicRedirectURI + "?") == true)
        #expect(response.locationQuery["error"] == "unsupported_response_type")
        #expect(response.locationQuery["state"] == "af0ifjsldkj")
        #expect(response.locationQuery["iss"] == harness.issuer)
        #expect(response.locationQuery["code"] == nil)
    }

    @Test("missing code_challenge is an invalid request")
    func missingChallengeIsInvalid() async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("code_challenge", nil)

        let response = await authorize(parameters)

        #expect(response.status == 303)
        #expect(response.locationQuery["error"] == "invalid_request")
        #expect(response.locationQuery["code"] == nil)
    }

    @Test("non-S256 challenge method is an invalid request", arguments: ["plain", "s256", "S512", nil] as [String?])
    func nonS256MethodIsInvalid(method: String?) async {
        var parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("code_challenge_method", method)
        if method == "plain" {
            // A plain challenge is the verifier itself (RFC 7636 §4.2).
            parameters = parameters.setting("code_challenge", pkce.verifier)
        }

        let response = await authorize(parameters)

        #expect(response.status == 303)
        #expect(response.locationQuery["error"] == "invalid_request")
        #expect(response.locationQuery["code"] == nil)
    }

    @Test("challenge not 43 characters is invalid", arguments: [42, 44, 128])
    func wrongLengthChallengeIsInvalid(length: Int) async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce)
            .setting("code_challenge", String(repeating: "A", count: length))

        let response = await authorize(parameters)

        #expect(response.locationQuery["error"] == "invalid_request")
    }

    @Test("scope of an unknown resource is an invalid scope")
    func unknownResourceScopeIsInvalid() async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("scope", "openid api://unknown/Chat")

        let response = await authorize(parameters)

        #expect(response.locationQuery["error"] == "invalid_scope")
    }

    @Test("scope the resource does not expose is an invalid scope")
    func unexposedScopeIsInvalid() async {
        let parameters = harness.authorizeParameters(client: spa, pkce: pkce).setting("scope", "openid api://moat-api/Admin")

        let response = await authorize(parameters)

        #expect(response.locationQuery["error"] == "invalid_scope")
    }
}
