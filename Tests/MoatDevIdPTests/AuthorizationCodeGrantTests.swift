import Foundation
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import Testing

/// The authorization_code grant: single use, 60-second lifetime, bound to the
/// client, the redirect URI and the PKCE challenge (RFC 6749 §4.1, RFC 7636 §4.6).
@Suite("Authorization code grant")
struct AuthorizationCodeGrantTests {
    let harness: IdentityProviderHarness
    let web: Directory.App
    let pkce = PKCE()

    init() throws {
        harness = try IdentityProviderHarness()
        web = try harness.app("moat-web")
    }

    private func code() async throws -> String {
        try await harness.authorizationCode(client: web, user: "alice", pkce: pkce)
    }

    @Test("code is redeemed once")
    func codeIsRedeemedOnce() async throws {
        let code = try await code()

        let first = await harness.redeem(code: code, client: web, verifier: pkce.verifier)
        let second = await harness.redeem(code: code, client: web, verifier: pkce.verifier)

        #expect(first.status == 200)
        #expect(first.headers["Cache-Control"] == "no-store")
        #expect(second.status == 400)
        #expect(second.oauthError == "invalid_grant")
    }

    @Test("code replay revokes the first refresh token")
    func replayRevokesRefreshToken() async throws {
        let code = try await code()
        let first = await harness.redeem(code: code, client: web, verifier: pkce.verifier)
        let refreshToken = try #require(try first.jsonObject()["refresh_token"]?.stringValue)

        _ = await harness.redeem(code: code, client: web, verifier: pkce.verifier)
        let refreshed = await harness.refresh(refreshToken, client: web)

        #expect(refreshed.status == 400)
        #expect(refreshed.oauthError == "invalid_grant")
    }

    @Test("code is accepted 59 seconds after issue")
    func codeWithinLifetimeIsAccepted() async throws {
        let code = try await code()
        harness.clock.advance(by: 59)

        let response = await harness.redeem(code: code, client: web, verifier: pkce.verifier)

        #expect(response.status == 200)
    }

    @Test("code expires after 60 seconds")
    func expiredCodeIsRejected() async throws {
        let code = try await code()
        harness.clock.advance(by: 61)

        let response = await harness.redeem(code: code, client: web, verifier: pkce.verifier)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("code with another redirect URI is rejected")
    func otherRedirectURIIsRejected() async throws {
        let code = try await code()
        let otherRedirect = try #require(web.redirectURIs.last)
        #expect(otherRedirect != web.redirectURIs.first)

        let response = await harness.redeem(code: code, client: web, verifier: pkce.verifier, redirectURI: otherRedirect)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("code redeemed by another client is rejected")
    func otherClientIsRejected() async throws {
        let code = try await code()
        let auditor = try harness.app("moat-auditor")

        let response = await harness.redeem(code: code, client: auditor, verifier: pkce.verifier, redirectURI: web.redirectURIs[0])

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("code redeemed by a public client is rejected")
    func publicClientCannotRedeemOthersCode() async throws {
        let code = try await code()
        let spa = try harness.app("test-spa")

        let response = await harness.redeem(code: code, client: spa, verifier: pkce.verifier, redirectURI: web.redirectURIs[0])

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("wrong code_verifier is rejected", arguments: [
        PKCE().verifier,
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ])
    func wrongVerifierIsRejected(verifier: String) async throws {
        let code = try await code()

        let response = await harness.redeem(code: code, client: web, verifier: verifier)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }

    @Test("challenge used as the verifier is rejected")
    func challengeAsVerifierIsRejected() async throws {
        let code = try await code()

        let response = await harness.redeem(code: code, client: web, verifier: pkce.challenge)

        #expect(response.oauthError == "invalid_grant")
    }

    @Test("token request without code_verifier is rejected")
    func missingVerifierIsRejected() async throws {
        let code = try await code()

        let response = await harness.token([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", web.redirectURIs[0]),
        ], client: web)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_request")
    }

    /// PKCE downgrade (RFC 9700 §4.8): without a challenge no code is ever
    /// issued, so there is no code a bare verifier could be paired with.
    @Test("request without challenge yields no code")
    func noChallengeYieldsNoCode() async throws {
        let parameters = harness.authorizeParameters(client: web, pkce: pkce).setting("code_challenge", nil)

        let response = await harness.get(harness.authorizePath, query: parameters)

        #expect(response.status == 303)
        #expect(response.locationQuery["code"] == nil)
        #expect(response.hiddenField("transaction") == nil)
    }

    @Test("unknown code is rejected")
    func unknownCodeIsRejected() async {
        let response = await harness.redeem(code: "not-a-code", client: web, verifier: pkce.verifier)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_grant")
    }
}
