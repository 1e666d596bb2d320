import Foundation
import MoatCore
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// Reads discovery and keys from the provider through `respond(to:)`, without a network.
struct ResponderKeySetSource: KeySetSource {
    let harness: IdentityProviderHarness

    func fetchMetadata() async throws -> OIDCProviderMetadata {
        let response = await harness.get("/\(harness.tenantID)/v2.0/.well-known/openid-configuration")
        return try JSONDecoder().decode(OIDCProviderMetadata.self, from: response.body)
    }

    func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet {
        let path = try #require(URL(string: metadata.jwksURI)).path
        return try JSONWebKeySet(data: await harness.get(path).body)
    }
}

/// Token shapes: Entra ID v2.0 access tokens and OpenID Connect ID tokens.
@Suite("Token claims")
struct TokenClaimsTests {
    let harness: IdentityProviderHarness
    let web: Directory.App
    let api: Directory.App
    let alice: Directory.User

    init() throws {
        harness = try IdentityProviderHarness()
        web = try harness.app("moat-web")
        api = try harness.app("moat-api")
        alice = try harness.user("alice")
    }

    private func aliceTokens(client: Directory.App? = nil, nonce: String = "n-0S6_WzA2Mj") async throws -> JSONObject {
        try await harness.signInTokens(client: client ?? web, user: "alice", nonce: nonce)
    }

    private func accessClaims(_ tokens: JSONObject) throws -> JSONObject {
        try unverifiedClaims(try #require(tokens["access_token"]?.stringValue))
    }

    @Test("access token has the Entra v2.0 shape")
    func accessTokenShape() async throws {
        let claims = try accessClaims(try await aliceTokens())
        let now = Int64(harness.clock.now().timeIntervalSince1970)

        #expect(claims["aud"]?.stringValue == api.clientID)
        #expect(claims["iss"]?.stringValue == harness.issuer)
        #expect(claims["iss"]?.stringValue?.contains("/\(harness.tenantID)/") == true)
        #expect(claims["tid"]?.stringValue == harness.tenantID)
        #expect(claims["oid"]?.stringValue == alice.objectID)
        #expect(claims["azp"]?.stringValue == web.clientID)
        #expect(claims["scp"] == "Chat")
        #expect(claims["ver"] == "2.0")
        #expect(claims["idtyp"] == "user")
        #expect(claims["preferred_username"] == "alice@fabrikam.example")
        #expect(claims["iat"]?.int64Value == now)
        #expect(claims["exp"]?.int64Value == now + 3600)
        #expect(claims["nonce"] == nil)
    }

    @Test("access token roles come from user and group assignments")
    func rolesFromAssignments() async throws {
        let claims = try accessClaims(try await aliceTokens())

        // Reader through the engineering group, Restricted.Reader assigned to alice herself.
        #expect(claims["roles"] == ["Reader", "Restricted.Reader"])
    }

    @Test("access token groups are object ids")
    func groupsAreObjectIDs() async throws {
        let claims = try accessClaims(try await harness.signInTokens(client: web, user: "bob"))
        let finance = try #require(harness.directory.group(named: "finance"))
        let hr = try #require(harness.directory.group(named: "hr"))

        #expect(claims["groups"] == .array([.string(finance.objectID), .string(hr.objectID)]))
    }

    @Test("user without assignments gets no roles")
    func userWithoutAssignmentsGetsNoRoles() async throws {
        let claims = try accessClaims(try await harness.signInTokens(client: web, user: "frank"))

        #expect(claims["roles"] == nil)
        #expect(claims["groups"] == nil)
    }

    @Test("sub is pairwise per client and differs from oid")
    func subjectIsPairwise() async throws {
        let webClaims = try accessClaims(try await aliceTokens(client: web))
        let spaClaims = try accessClaims(try await aliceTokens(client: try harness.app("test-spa")))

        let webSubject = try #require(webClaims["sub"]?.stringValue)
        let spaSubject = try #require(spaClaims["sub"]?.stringValue)
        #expect(webSubject != spaSubject)
        #expect(webSubject != alice.objectID)
        #expect(webClaims["oid"] == spaClaims["oid"])
    }

    @Test("each access token has its own uti")
    func utiIsUnique() async throws {
        let first = try accessClaims(try await aliceTokens())
        let second = try accessClaims(try await aliceTokens())

        let firstID = try #require(first["uti"]?.stringValue)
        #expect(!firstID.isEmpty)
        #expect(first["uti"] != second["uti"])
    }

    @Test("ID token carries the nonce and the client as audience")
    func idTokenShape() async throws {
        let tokens = try await aliceTokens(nonce: "nonce-4711")
        let claims = try unverifiedClaims(try #require(tokens["id_token"]?.stringValue))
        let access = try accessClaims(tokens)

        #expect(claims["nonce"] == "nonce-4711")
        #expect(claims["aud"]?.stringValue == web.clientID)
        #expect(claims["iss"]?.stringValue == harness.issuer)
        #expect(claims["oid"]?.stringValue == alice.objectID)
        #expect(claims["tid"]?.stringValue == harness.tenantID)
        #expect(claims["sub"] == access["sub"])
        #expect(claims["iat"] != nil)
        #expect(claims["scp"] == nil)
        #expect(claims["roles"] == nil)
    }

    @Test("refreshed tokens have no nonce")
    func refreshedIDTokenHasNoNonce() async throws {
        let tokens = try await aliceTokens()
        let refreshToken = try #require(tokens["refresh_token"]?.stringValue)

        let refreshed = try await harness.refresh(refreshToken, client: web).jsonObject()
        let claims = try unverifiedClaims(try #require(refreshed["id_token"]?.stringValue))

        #expect(claims["nonce"] == nil)
    }

    @Test("access token passes the API's validator")
    func accessTokenPassesValidator() async throws {
        let tokens = try await aliceTokens()
        let policy = AccessTokenPolicy(issuer: harness.issuer, audiences: [api.clientID], allowedClientApps: [web.clientID])
        let keys = KeySetCache(source: ResponderKeySetSource(harness: harness), clock: harness.clock)
        let validator = AccessTokenValidator(policy: policy, keys: keys, clock: harness.clock)

        let principal = try await validator.validate(token: try #require(tokens["access_token"]?.stringValue))

        #expect(principal.kind == .user)
        #expect(principal.objectID == alice.objectID)
        #expect(principal.tenantID == harness.tenantID)
        #expect(principal.roles == ["Reader", "Restricted.Reader"])
        #expect(principal.scopes == ["Chat"])
    }

    @Test("ID token is rejected by the API's validator")
    func idTokenFailsValidator() async throws {
        let tokens = try await aliceTokens()
        let policy = AccessTokenPolicy(issuer: harness.issuer, audiences: [api.clientID], allowedClientApps: [web.clientID])
        let keys = KeySetCache(source: ResponderKeySetSource(harness: harness), clock: harness.clock)
        let validator = AccessTokenValidator(policy: policy, keys: keys, clock: harness.clock)

        await #expect(throws: TokenRejection.self) {
            _ = try await validator.validate(token: try #require(tokens["id_token"]?.stringValue))
        }
    }

    @Test("app-only token validates as application")
    func appOnlyTokenPassesValidator() async throws {
        let auditor = try harness.app("moat-auditor")
        let response = await harness.token([("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")], client: auditor)
        let token = try #require(try response.jsonObject()["access_token"]?.stringValue)
        let policy = AccessTokenPolicy(issuer: harness.issuer, audiences: [api.clientID], allowedClientApps: [auditor.clientID])
        let keys = KeySetCache(source: ResponderKeySetSource(harness: harness), clock: harness.clock)
        let validator = AccessTokenValidator(policy: policy, keys: keys, clock: harness.clock)

        let principal = try await validator.validate(token: token)

        #expect(principal.kind == .application)
        #expect(principal.roles == ["Audit.Read.All"])
    }
}
