import Foundation
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJSON
import Testing

/// Client authentication at the token endpoint, the client_credentials grant
/// (RFC 6749 §2.3.1, §4.4) and the grants that are not supported.
@Suite("Client credentials and client authentication")
struct ClientAuthenticationTests {
    let harness: IdentityProviderHarness
    let auditor: Directory.App
    let api: Directory.App

    init() throws {
        harness = try IdentityProviderHarness()
        auditor = try harness.app("moat-auditor")
        api = try harness.app("moat-api")
    }

    private static let apiDefaultScope = [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")]

    @Test("auditor gets app-only token with role")
    func auditorGetsAppOnlyToken() async throws {
        let response = await harness.token(Self.apiDefaultScope, client: auditor)
        #expect(response.status == 200)
        let body = try response.jsonObject()
        let claims = try unverifiedClaims(try #require(body["access_token"]?.stringValue))

        #expect(claims["roles"] == ["Audit.Read.All"])
        #expect(claims["idtyp"] == "app")
        #expect(claims["scp"] == nil)
        #expect(claims["aud"]?.stringValue == api.clientID)
        #expect(claims["azp"]?.stringValue == auditor.clientID)
        #expect(claims["azpacr"] == "1")
        #expect(claims["oid"]?.stringValue == auditor.objectID)
        #expect(claims["sub"]?.stringValue == auditor.objectID)
        #expect(claims["tid"]?.stringValue == harness.tenantID)
        #expect(claims["ver"] == "2.0")
        #expect(body["refresh_token"] == nil)
        #expect(body["id_token"] == nil)
    }

    @Test("client without an application role gets no roles")
    func clientWithoutRoleGetsNoRoles() async throws {
        let web = try harness.app("moat-web")

        let response = await harness.token(Self.apiDefaultScope, client: web)
        let claims = try unverifiedClaims(try #require(try response.jsonObject()["access_token"]?.stringValue))

        #expect(response.status == 200)
        #expect(claims["roles"] == nil)
    }

    @Test("client_credentials accepts client_secret in the body")
    func secretInBodyIsAccepted() async throws {
        let response = await harness.post(harness.tokenPath, form: Self.apiDefaultScope + [
            ("client_id", auditor.clientID), ("client_secret", try #require(auditor.clientSecret)),
        ])

        #expect(response.status == 200)
    }

    @Test("public client cannot use client_credentials")
    func publicClientIsUnauthorized() async throws {
        let spa = try harness.app("test-spa")

        let response = await harness.token(Self.apiDefaultScope, client: spa)

        #expect(response.status == 400)
        #expect(response.oauthError == "unauthorized_client")
    }

    @Test("non-.default scope is invalid", arguments: [
        "api://moat-api/Chat", "api://unknown/.default", "openid",
    ])
    func nonDefaultScopeIsInvalid(scope: String) async {
        let response = await harness.token([("grant_type", "client_credentials"), ("scope", scope)], client: auditor)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_scope")
    }

    @Test("wrong client secret gives 401 invalid_client")
    func wrongSecretIsUnauthorized() async {
        let response = await harness.post(
            harness.tokenPath, form: Self.apiDefaultScope,
            headers: [IdentityProviderHarness.basic(auditor, secret: "moat-auditor-demo-secreT")]
        )

        #expect(response.status == 401)
        #expect(response.oauthError == "invalid_client")
        #expect(response.headers["WWW-Authenticate"] != nil)
    }

    @Test("missing client authentication gives 401 invalid_client")
    func missingAuthenticationIsUnauthorized() async {
        let response = await harness.post(harness.tokenPath, form: Self.apiDefaultScope + [("client_id", auditor.clientID)])

        #expect(response.status == 401)
        #expect(response.oauthError == "invalid_client")
    }

    @Test("unknown client gives 401 invalid_client")
    func unknownClientIsUnauthorized() async {
        let response = await harness.post(harness.tokenPath, form: Self.apiDefaultScope + [
            ("client_id", "00000000-0000-0000-0000-000000000000"), ("client_secret", "x"),
        ])

        #expect(response.status == 401)
        #expect(response.oauthError == "invalid_client")
    }

    @Test("HTTP Basic and body secret together are rejected")
    func basicAndBodySecretAreRejected() async throws {
        let response = await harness.post(
            harness.tokenPath,
            form: Self.apiDefaultScope + [("client_secret", try #require(auditor.clientSecret))],
            headers: [IdentityProviderHarness.basic(auditor)]
        )

        #expect(response.status == 401)
        #expect(response.oauthError == "invalid_client")
    }

    @Test("public client sending a secret is rejected")
    func publicClientWithSecretIsRejected() async throws {
        let spa = try harness.app("test-spa")

        let response = await harness.post(harness.tokenPath, form: [
            ("grant_type", "authorization_code"), ("code", "x"), ("client_id", spa.clientID), ("client_secret", "guess"),
        ])

        #expect(response.status == 401)
        #expect(response.oauthError == "invalid_client")
    }

    @Test("client secret in the query string is rejected")
    func secretInQueryIsRejected() async throws {
        let query = FormEncoding.encode([("client_id", auditor.clientID), ("client_secret", try #require(auditor.clientSecret))])

        let response = await harness.post(harness.tokenPath + "?" + query, form: Self.apiDefaultScope)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_request")
        #expect(try response.jsonObject()["access_token"] == nil)
    }

    @Test("password and implicit grants are unsupported", arguments: ["password", "implicit", "token"])
    func unsupportedGrants(grantType: String) async {
        let response = await harness.token([
            ("grant_type", grantType), ("username", "alice"), ("password", "moat-demo"), ("scope", "openid"),
        ], client: auditor)

        #expect(response.status == 400)
        #expect(response.oauthError == "unsupported_grant_type")
    }

    @Test("missing grant_type is an invalid request")
    func missingGrantTypeIsInvalid() async {
        let response = await harness.token([("scope", "api://moat-api/.default")], client: auditor)

        #expect(response.status == 400)
        #expect(response.oauthError == "invalid_request")
    }

    @Test("token endpoint rejects GET")
    func getIsNotAllowed() async {
        let response = await harness.get(harness.tokenPath)

        #expect(response.status == 405)
    }
}
