import Foundation
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// A validator for moat-api over the harness's own JWKS endpoint.
private func apiValidator(_ harness: IdentityProviderHarness, allowedClients: [String], v1: Bool = false) throws -> AccessTokenValidator {
    let api = try harness.app("moat-api")
    var policy = AccessTokenPolicy(
        issuer: harness.issuer, audiences: [api.clientID, "api://moat-api", "api://downstream", TestDirectory.Credentials.downstreamClientID],
        allowedClientApps: allowedClients)
    if v1 { policy.v1Issuer = "\(IdentityProviderHarness.baseURL)/\(harness.tenantID)/" }
    return AccessTokenValidator(policy: policy, keys: KeySetCache(source: ResponderKeySetSource(harness: harness), clock: harness.clock), clock: harness.clock)
}

private func accessToken(_ response: HTTPResponse) throws -> String {
    guard response.status == 200, let token = try response.jsonObject()["access_token"]?.stringValue else {
        throw HarnessFailure("token endpoint returned \(response.status): \(response.text)")
    }
    return token
}

@Suite("On-behalf-of")
struct OnBehalfOfTests {
    @Test("on-behalf-of token keeps the user and names the middle tier")
    func onBehalfOfKeepsUser() async throws {
        let harness = try IdentityProviderHarness()
        let web = try harness.app("moat-web")
        let api = try harness.app("moat-api")
        let alice = try harness.user("alice")
        let incoming = try #require(try await harness.signInTokens(client: web, user: "alice", scope: "openid api://moat-api/Chat")["access_token"]?.stringValue)

        let response = await harness.token([
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("requested_token_use", "on_behalf_of"),
            ("assertion", incoming), ("scope", "api://downstream/.default"),
        ], client: api)
        let claims = try unverifiedClaims(try accessToken(response))

        #expect(claims["oid"]?.stringValue == alice.objectID)
        #expect(claims["tid"]?.stringValue == harness.tenantID)
        #expect(claims["azp"]?.stringValue == api.clientID)
        #expect(claims["aud"]?.stringValue == TestDirectory.Credentials.downstreamClientID)
        #expect(claims["scp"] == "Files.Read")
    }
}

@Suite("Group overage")
struct GroupOverageTests {
    @Test("user above the limit gets overage claims instead of groups")
    func overageClaimsReplaceGroups() async throws {
        let harness = try IdentityProviderHarness(directory: TestDirectory.overageDirectory.get())
        let erin = try harness.user("erin")

        let tokens = try await harness.signInTokens(client: try harness.app("moat-web"), user: "erin", scope: "openid api://moat-api/Chat")
        let claims = try unverifiedClaims(try #require(tokens["access_token"]?.stringValue))

        #expect(claims["groups"] == nil)
        #expect(claims["_claim_names"] == ["groups": "src1"])
        #expect(claims["_claim_sources"]?["src1"]?["endpoint"]?.stringValue == "\(IdentityProviderHarness.baseURL)/v1.0/users/\(erin.objectID)/getMemberObjects")
    }

    @Test("user at the limit keeps the groups claim")
    func groupsUpToTheLimitStay() async throws {
        let harness = try IdentityProviderHarness(directory: TestDirectory.overageDirectory.get())

        let tokens = try await harness.signInTokens(client: try harness.app("moat-web"), user: "bob", scope: "openid api://moat-api/Chat")
        let claims = try unverifiedClaims(try #require(tokens["access_token"]?.stringValue))

        #expect(claims["groups"]?.arrayValue?.count == 2)
        #expect(claims["_claim_names"] == nil)
    }

    @Test("getMemberObjects returns the user's groups to an app with a directory role")
    func getMemberObjectsListsGroups() async throws {
        let harness = try IdentityProviderHarness(directory: TestDirectory.overageDirectory.get())
        let erin = try harness.user("erin")
        let token = try accessToken(await harness.token(
            [("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")], client: try harness.app("moat-api")))
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        headers.add("Authorization", "Bearer \(token)")

        let response = await harness.provider.respond(to: HTTPRequest(
            method: "POST", target: "/v1.0/users/\(erin.objectID)/getMemberObjects", headers: headers, body: Data("{}".utf8)))

        #expect(response.status == 200)
        #expect(try response.jsonObject()["value"]?.arrayValue?.compactMap(\.stringValue) == harness.directory.groupObjectIDs(of: erin))
    }
}

@Suite("Token formats and key rotation")
struct TokenFormatTests {
    @Test("resource with access token version 1 gets v1.0 tokens")
    func v1TokensForV1Resource() async throws {
        var directory = try TestDirectory.directory.get()
        directory.apps = directory.apps.map { app in
            var changed = app
            if app.name == "moat-api" { changed.accessTokenVersion = 1 }
            return changed
        }
        let harness = try IdentityProviderHarness(directory: directory)
        let web = try harness.app("moat-web")
        let token = try #require(try await harness.signInTokens(client: web, user: "alice", scope: "openid api://moat-api/Chat")["access_token"]?.stringValue)
        let claims = try unverifiedClaims(token)

        let principal = try await apiValidator(harness, allowedClients: [web.clientID], v1: true).validate(token: token)

        #expect(claims["ver"] == "1.0")
        #expect(claims["iss"]?.stringValue == "\(IdentityProviderHarness.baseURL)/\(harness.tenantID)/")
        #expect(claims["aud"] == "api://moat-api")
        #expect(claims["appid"]?.stringValue == web.clientID)
        #expect(claims["upn"] == "alice@fabrikam.example")
        #expect(principal.clientAppID == web.clientID)
    }

    @Test("token signed before a rotation validates during the overlap")
    func oldKeyStaysDuringOverlap() async throws {
        let harness = try IdentityProviderHarness()
        let auditor = try harness.app("moat-auditor")
        let request: [(String, String)] = [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")]
        let before = try accessToken(await harness.token(request, client: auditor))

        harness.provider.rotateSigningKey(to: try SigningKeyStore.signer(for: PrivateKey.generateRSA(bits: 2048)), lead: 0, overlap: 600)
        let after = try accessToken(await harness.token(request, client: auditor))
        let validator = try apiValidator(harness, allowedClients: [auditor.clientID])

        #expect(try CompactJWS.parse(before).header["kid"] != CompactJWS.parse(after).header["kid"])
        #expect(try await validator.validate(token: before).objectID == auditor.objectID)
        #expect(try await validator.validate(token: after).objectID == auditor.objectID)
    }

    @Test("retired key leaves the JWKS after the overlap")
    func oldKeyLeavesAfterOverlap() async throws {
        let harness = try IdentityProviderHarness()
        let keysPath = "/\(harness.tenantID)/discovery/v2.0/keys"
        let count = { (response: HTTPResponse) in try JSONWebKeySet(data: response.body).keys.count }

        harness.provider.rotateSigningKey(to: try SigningKeyStore.signer(for: PrivateKey.generateRSA(bits: 2048)), lead: 0, overlap: 600)
        let during = try count(await harness.get(keysPath))
        harness.clock.advance(by: 601)
        let afterwards = try count(await harness.get(keysPath))

        #expect(during == 2)
        #expect(afterwards == 1)
    }
}

@Suite("Signing key file rotation")
struct SigningKeyFileRotationTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-keys-\(UUID().uuidString)")
    var keyFile: URL { folder.appendingPathComponent("idp-signing-key.pem") }
    static let request: [(String, String)] = [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")]

    /// Starts a provider that follows a fresh key file, as `moat idp` does.
    func start() throws -> IdentityProviderHarness {
        let harness = IdentityProviderHarness(directory: try TestDirectory.directory.get(), signer: try SigningKeyStore.loadOrCreate(at: keyFile))
        harness.provider.followSigningKeyFile(at: keyFile)
        return harness
    }

    @Test("rotated key file is picked up by running provider")
    func rotationPickedUp() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try start()
        let auditor = try harness.app("moat-auditor")
        let validator = try apiValidator(harness, allowedClients: [auditor.clientID])
        let before = try accessToken(await harness.token(Self.request, client: auditor))
        _ = try await validator.validate(token: before)

        let (previous, current) = try SigningKeyStore.rotate(at: keyFile)
        // The provider reads the file after its check interval. The validator fetched the
        // key set moments ago, so an unknown kid now would wait out its 30 s refetch cooldown.
        harness.clock.advance(by: DevIdentityProvider.keyFileCheckInterval)
        let duringLead = try accessToken(await harness.token(Self.request, client: auditor))
        let keysDuringLead = try JSONWebKeySet(data: await harness.get("/\(harness.tenantID)/discovery/v2.0/keys").body).keys.map(\.keyID)
        harness.clock.advance(by: harness.provider.signingKeyLead)
        let afterLead = try accessToken(await harness.token(Self.request, client: auditor))

        #expect(try CompactJWS.parse(before).header["kid"]?.stringValue == previous.keyID)
        #expect(try CompactJWS.parse(duringLead).header["kid"]?.stringValue == previous.keyID)
        #expect(keysDuringLead.contains(previous.keyID))
        #expect(keysDuringLead.contains(current.keyID))
        #expect(try CompactJWS.parse(afterLead).header["kid"]?.stringValue == current.keyID)
        #expect(try await validator.validate(token: before).objectID == auditor.objectID)
        #expect(try await validator.validate(token: duringLead).objectID == auditor.objectID)
        #expect(try await validator.validate(token: afterLead).objectID == auditor.objectID)
    }

    @Test("relying party accepts first token of new key")
    func relyingPartyReadyAtSwitch() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try start()
        let auditor = try harness.app("moat-auditor")
        _ = try SigningKeyStore.rotate(at: keyFile)
        harness.clock.advance(by: DevIdentityProvider.keyFileCheckInterval)
        _ = await harness.get("/healthz")

        // This relying party fetches the key set for the first time during the lead, so its
        // cooldown is still running when the new key starts signing, and no refetch happens.
        harness.clock.advance(by: harness.provider.signingKeyLead - 1)
        let validator = try apiValidator(harness, allowedClients: [auditor.clientID])
        _ = try await validator.validate(token: try accessToken(await harness.token(Self.request, client: auditor)))
        harness.clock.advance(by: 1)
        let first = try accessToken(await harness.token(Self.request, client: auditor))

        #expect(try await validator.validate(token: first).objectID == auditor.objectID)
    }

    @Test("token of replaced key fails after overlap")
    func oldTokenFailsAfterOverlap() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try start()
        let auditor = try harness.app("moat-auditor")
        let before = try accessToken(await harness.token(Self.request, client: auditor))

        _ = try SigningKeyStore.rotate(at: keyFile)
        harness.clock.advance(by: DevIdentityProvider.keyFileCheckInterval)
        _ = await harness.get("/healthz")
        // The overlap starts when the new key signs, after the lead. The default overlap is the
        // token lifetime (3600 s) plus 300 s, so the token itself has expired by then.
        harness.clock.advance(by: harness.provider.signingKeyLead + 3600 + 300 + 1)
        let keys = try JSONWebKeySet(data: await harness.get("/\(harness.tenantID)/discovery/v2.0/keys").body)
        let beforeKeyID = try CompactJWS.parse(before).header["kid"]?.stringValue

        #expect(keys.keys.count == 1)
        #expect(keys.keys.first?.keyID != beforeKeyID)
    }

    @Test("previous key is published again after restart")
    func restartKeepsPreviousKey() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try SigningKeyStore.loadOrCreate(at: keyFile)
        let (previous, _) = try SigningKeyStore.rotate(at: keyFile)

        // A provider on the system clock, so the previous key file's modification time is within the overlap.
        let provider = DevIdentityProvider(
            directory: try TestDirectory.directory.get(), signer: try SigningKeyStore.load(at: keyFile), baseURL: IdentityProviderHarness.baseURL)
        provider.followSigningKeyFile(at: keyFile)
        let harness = IdentityProviderHarness(provider: provider, directory: try TestDirectory.directory.get())
        let keys = try JSONWebKeySet(data: await harness.get("/\(harness.tenantID)/discovery/v2.0/keys").body)
        let token = try accessToken(await harness.token(Self.request, client: try harness.app("moat-auditor")))

        #expect(keys.keys.map(\.keyID).contains(previous.keyID))
        #expect(keys.keys.count == 2)
        // The restart falls within the lead, so the previous key still signs.
        #expect(try CompactJWS.parse(token).header["kid"]?.stringValue == previous.keyID)
    }

    @Test("rotation without key file fails")
    func rotateWithoutKey() throws {
        #expect(throws: DirectoryError.self) { try SigningKeyStore.rotate(at: keyFile) }
    }
}

/// Runs a dev identity provider on a loopback port for clients that speak HTTP.
private func withLiveProvider(directory: Directory? = nil, _ body: (DevIdentityProvider, String) async throws -> Void) async throws {
    let provider = DevIdentityProvider(
        directory: try directory ?? TestDirectory.directory.get(), signer: try TestDirectory.signer.get(), baseURL: "http://127.0.0.1")
    let server = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), responder: provider, logger: .disabled)
    try server.start()
    provider.setBaseURL("http://127.0.0.1:\(server.port)")
    do {
        try await body(provider, "http://127.0.0.1:\(server.port)")
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

@Suite("ConfidentialClient against moat idp")
struct ConfidentialClientTests {
    static func tokenEndpoint(_ baseURL: String, _ directory: Directory) -> URL {
        URL(string: "\(baseURL)/\(directory.tenant.id)/oauth2/v2.0/token")!
    }

    @Test("client secret gets a cached app-only token")
    func secretTokenIsCached() async throws {
        try await withLiveProvider { provider, baseURL in
            let auditor = try #require(provider.directory.app(named: "moat-auditor"))
            let client = ConfidentialClient(
                clientID: auditor.clientID, credential: .secret(auditor.clientSecret ?? ""), tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory))

            let first = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])
            let second = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])

            #expect(first == second)
            #expect(await client.tokenRequestCount == 1)
            #expect(try unverifiedClaims(first.accessToken)["idtyp"] == "app")
        }
    }

    @Test("certificate credential gets a token")
    func certificateCredential() async throws {
        try await withLiveProvider { provider, baseURL in
            let client = ConfidentialClient(
                clientID: TestDirectory.Credentials.certificateClientID,
                credential: .certificate(try TestDirectory.Credentials.certificateKey.get(), try TestDirectory.Credentials.certificate.get(), algorithm: .ps256),
                tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory))

            let token = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])

            #expect(try unverifiedClaims(token.accessToken)["azp"]?.stringValue == TestDirectory.Credentials.certificateClientID)
        }
    }

    @Test("private key credential named by kid gets a token")
    func privateKeyCredential() async throws {
        try await withLiveProvider { provider, baseURL in
            let client = ConfidentialClient(
                clientID: TestDirectory.Credentials.keyClientID,
                credential: .privateKey(try TestDirectory.Credentials.ecKey.get(), keyID: "key-client-1", algorithm: .es256),
                tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory))

            let token = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])

            #expect(token.expiresAt > Date())
        }
    }

    @Test("concurrent callers share one token request")
    func singleFlight() async throws {
        try await withLiveProvider { provider, baseURL in
            let auditor = try #require(provider.directory.app(named: "moat-auditor"))
            let client = ConfidentialClient(
                clientID: auditor.clientID, credential: .secret(auditor.clientSecret ?? ""), tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory))

            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"]).accessToken }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }

            #expect(tokens.count == 1)
            #expect(await client.tokenRequestCount == 1)
        }
    }

    @Test("token within the refresh margin is renewed")
    func renewalBeforeExpiry() async throws {
        try await withLiveProvider { provider, baseURL in
            let auditor = try #require(provider.directory.app(named: "moat-auditor"))
            let clock = ManualClock(Date())
            let client = ConfidentialClient(
                clientID: auditor.clientID, credential: .secret(auditor.clientSecret ?? ""),
                tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory), clock: clock)

            _ = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])
            clock.advance(by: 3600 - 299)
            _ = try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])

            #expect(await client.tokenRequestCount == 2)
        }
    }

    @Test("refused request reports the OAuth error")
    func refusalCarriesOAuthError() async throws {
        try await withLiveProvider { provider, baseURL in
            let auditor = try #require(provider.directory.app(named: "moat-auditor"))
            let client = ConfidentialClient(
                clientID: auditor.clientID, credential: .secret("wrong"), tokenEndpoint: Self.tokenEndpoint(baseURL, provider.directory))

            await #expect(throws: TokenRejection(.tokenRequestFailed, detailCode: "invalid_client", "")) {
                try await client.acquireTokenForClient(scopes: ["api://moat-api/.default"])
            }
        }
    }

    @Test("on-behalf-of through the client keeps the user")
    func onBehalfOfThroughClient() async throws {
        try await withLiveProvider { provider, baseURL in
            let directory = provider.directory
            let api = try #require(directory.app(named: "moat-api"))
            let web = try #require(directory.app(named: "moat-web"))
            let browser = IdentityProviderHarness(provider: provider, directory: directory)
            let tokens = try await browser.signInTokens(client: web, user: "alice", scope: "openid api://moat-api/Chat")
            let middleTier = ConfidentialClient(
                clientID: api.clientID, credential: .secret(api.clientSecret ?? ""), tokenEndpoint: Self.tokenEndpoint(baseURL, directory))

            let downstream = try await middleTier.acquireTokenOnBehalfOf(
                userAssertion: try #require(tokens["access_token"]?.stringValue), scopes: ["api://downstream/.default"])
            let again = try await middleTier.acquireTokenOnBehalfOf(
                userAssertion: try #require(tokens["access_token"]?.stringValue), scopes: ["api://downstream/.default"])

            #expect(try unverifiedClaims(downstream.accessToken)["oid"]?.stringValue == directory.user(signInName: "alice")?.objectID)
            #expect(downstream == again)
            #expect(await middleTier.tokenRequestCount == 1)
        }
    }

    @Test("on-behalf-of through the client refuses an app-only token")
    func onBehalfOfRefusesAppToken() async throws {
        try await withLiveProvider { provider, baseURL in
            let directory = provider.directory
            let api = try #require(directory.app(named: "moat-api"))
            let auditor = try #require(directory.app(named: "moat-auditor"))
            let endpoint = Self.tokenEndpoint(baseURL, directory)
            let appToken = try await ConfidentialClient(clientID: auditor.clientID, credential: .secret(auditor.clientSecret ?? ""), tokenEndpoint: endpoint)
                .acquireTokenForClient(scopes: ["api://moat-api/.default"])
            let middleTier = ConfidentialClient(clientID: api.clientID, credential: .secret(api.clientSecret ?? ""), tokenEndpoint: endpoint)

            await #expect(throws: TokenRejection(.tokenRequestFailed, detailCode: "invalid_grant", "")) {
                try await middleTier.acquireTokenOnBehalfOf(userAssertion: appToken.accessToken, scopes: ["api://downstream/.default"])
            }
        }
    }

    @Test("refresh through the client rotates, and the old token is then refused")
    func refreshRotation() async throws {
        try await withLiveProvider { provider, baseURL in
            let directory = provider.directory
            let web = try #require(directory.app(named: "moat-web"))
            let browser = IdentityProviderHarness(provider: provider, directory: directory)
            let tokens = try await browser.signInTokens(client: web, user: "alice", scope: "openid offline_access api://moat-api/Chat")
            let original = try #require(tokens["refresh_token"]?.stringValue)
            let client = ConfidentialClient(
                clientID: web.clientID, credential: .secret(web.clientSecret ?? ""), tokenEndpoint: Self.tokenEndpoint(baseURL, directory))

            let refreshed = try await client.acquireTokenByRefreshToken(original, scopes: ["openid", "offline_access", "api://moat-api/Chat"])

            #expect(refreshed.refreshToken != nil)
            #expect(refreshed.refreshToken != original)
            await #expect(throws: TokenRejection(.tokenRequestFailed, detailCode: "invalid_grant", "")) {
                try await client.acquireTokenByRefreshToken(original, scopes: ["openid"])
            }
        }
    }

    @Test("Graph resolver reads an overage user's groups")
    func graphResolverReadsGroups() async throws {
        try await withLiveProvider(directory: try TestDirectory.overageDirectory.get()) { provider, baseURL in
            let directory = provider.directory
            let api = try #require(directory.app(named: "moat-api"))
            let erin = try #require(directory.user(signInName: "erin"))
            let tokens = ConfidentialClient(clientID: api.clientID, credential: .secret(api.clientSecret ?? ""), tokenEndpoint: Self.tokenEndpoint(baseURL, directory))
            let resolver = GraphGroupResolver(graphBaseURL: try #require(URL(string: baseURL)), tokens: tokens)

            let groups = try await resolver.groupObjectIDs(tenantID: directory.tenant.id, objectID: erin.objectID)
            _ = try await resolver.groupObjectIDs(tenantID: directory.tenant.id, objectID: erin.objectID)

            #expect(groups == directory.groupObjectIDs(of: erin))
            #expect(await resolver.lookupCount == 1)
        }
    }
}
