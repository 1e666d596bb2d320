import Foundation
import MoatCore
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

@Suite("AccessTokenValidator")
struct AccessTokenValidatorTests {
    let clock = ManualClock(TestKeys.start)
    let source: FakeKeySetSource
    let keys: KeySetCache
    let validator: AccessTokenValidator

    init() throws {
        source = try FakeKeySetSource(keys: [TestKeys.signer.publicJWK])
        keys = KeySetCache(source: source, timeToLive: 3600, refetchCooldown: 30, clock: clock)
        let policy = AccessTokenPolicy(
            issuer: TestKeys.issuer,
            audiences: [TestKeys.apiClientID, "api://moat-api"],
            allowedClientApps: [TestKeys.webClientID]
        )
        validator = AccessTokenValidator(policy: policy, keys: keys, clock: clock)
    }

    /// Validates `claims` signed with the current key, sent as a bearer header.
    private func validate(_ claims: JSONObject, signer: JWTSigner = TestKeys.signer) async throws -> Principal {
        try await validator.validate(authorizationHeader: "Bearer " + TestKeys.sign(claims, with: signer))
    }

    /// Returns the rejection for `header`, or nil when the token was accepted.
    private func rejection(header: String?) async -> TokenRejection? {
        do {
            _ = try await validator.validate(authorizationHeader: header)
            return nil
        } catch {
            return error
        }
    }

    private func rejection(_ claims: JSONObject, signer: JWTSigner = TestKeys.signer) async throws -> TokenRejection? {
        await rejection(header: "Bearer " + (try TestKeys.sign(claims, with: signer)))
    }

    // MARK: Accepted tokens

    @Test("delegated token gives a user principal")
    func delegatedTokenGivesUser() async throws {
        let principal = try await validate(TestKeys.delegatedClaims())

        #expect(principal.kind == .user)
        #expect(principal.tenantID == TestKeys.tenantID)
        #expect(principal.objectID == TestKeys.userObjectID)
        #expect(principal.clientAppID == TestKeys.webClientID)
        #expect(principal.roles == ["Reader", "Restricted.Reader"])
        #expect(principal.groups == [TestKeys.groupObjectID])
        #expect(principal.scopes == ["Chat", "Files.Read"])
        #expect(principal.username == "alice@fabrikam.example")
    }

    @Test("scp is split at spaces", arguments: [
        ("Chat", ["Chat"]), ("Chat Files.Read", ["Chat", "Files.Read"]), ("  Chat   Files.Read ", ["Chat", "Files.Read"]),
        ("", []), (" ", []), ("Chat\u{301}", ["Chat\u{301}"]),
    ])
    func scopeClaimIsSplit(scope: String, expected: [String]) async throws {
        var claims = TestKeys.delegatedClaims()
        claims["scp"] = .string(scope)
        let principal = try await validate(claims)

        #expect(principal.scopes == expected)
    }

    @Test("App ID URI audience is accepted")
    func appIDURIAudienceIsAccepted() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["aud"] = "api://moat-api"

        let principal = try await validate(claims)

        #expect(principal.objectID == TestKeys.userObjectID)
    }

    @Test("app-only token gives an application principal")
    func appOnlyTokenGivesApplication() async throws {
        let principal = try await validate(TestKeys.appOnlyClaims())

        #expect(principal.kind == .application)
        #expect(principal.roles == ["Audit.Read.All"])
        #expect(principal.scopes.isEmpty)
        #expect(principal.objectID == "64712303-d450-4bb2-9a19-7a9fc69afad6")
    }

    @Test("bearer scheme is case-insensitive")
    func bearerSchemeIsCaseInsensitive() async throws {
        let token = try TestKeys.sign(TestKeys.delegatedClaims())

        let principal = try await validator.validate(authorizationHeader: "bearer " + token)

        #expect(principal.kind == .user)
    }

    // MARK: Authorization header

    @Test("missing Authorization header is rejected")
    func missingHeaderIsRejected() async {
        #expect(await rejection(header: nil)?.code == .missingToken)
        #expect(await rejection(header: "")?.code == .missingToken)
    }

    @Test("non-Bearer header is rejected", arguments: [
        "Basic YWxpY2U6bW9hdC1kZW1v",
        "Bearer",
        "Bearer ",
        "Token abc.def.ghi",
        "Bearer a.b.c extra",
    ])
    func nonBearerHeaderIsRejected(header: String) async {
        #expect(await rejection(header: header)?.code == .malformedAuthorization)
    }

    @Test("Bearer scheme is recognised in any case", arguments: [
        ("Bearer abc", true), ("bearer abc", true), ("BEARER", true), ("Basic YWxpY2U6bW9hdC1kZW1v", false),
        ("Token abc", false), ("Bearerabc", false), ("", false), ("bEaReR", true), ("Bear abc", false), ("beare", false),
        (" Bearer abc", false), ("Bearør", false), ("Bearer\tabc", false),
    ])
    func bearerSchemeIsRecognised(header: String, expected: Bool) {
        #expect(AccessTokenValidator.hasBearerScheme(header) == expected)
    }

    // MARK: Token type

    @Test("ID token for the web client is rejected")
    func idTokenIsRejectedByAudience() async throws {
        let issuedAt = Int64(TestKeys.start.timeIntervalSince1970)
        let idToken: JSONObject = [
            "aud": .string(TestKeys.webClientID),
            "iss": .string(TestKeys.issuer),
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + 3600),
            "nonce": "n-0S6_WzA2Mj",
            "oid": .string(TestKeys.userObjectID),
            "sub": "pairwise-subject",
            "tid": .string(TestKeys.tenantID),
            "ver": "2.0",
        ]

        let rejection = try await rejection(idToken)

        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "audience_mismatch")
    }

    @Test("token with a nonce is rejected as an ID token")
    func tokenWithNonceIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["nonce"] = "n-0S6_WzA2Mj"

        #expect(try await rejection(claims)?.code == .notAnAccessToken)
    }

    @Test("token without scp or roles is rejected")
    func tokenWithoutScopeOrRolesIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["scp"] = nil
        claims["roles"] = nil

        #expect(try await rejection(claims)?.code == .notAnAccessToken)
    }

    @Test("token with empty roles and no scp is rejected")
    func tokenWithEmptyRolesIsRejected() async throws {
        var claims = TestKeys.appOnlyClaims()
        claims["roles"] = .array([])

        #expect(try await rejection(claims)?.code == .notAnAccessToken)
    }

    @Test("token version other than 2.0 is rejected", arguments: ["1.0", "2", "2.0 "])
    func otherVersionIsRejected(version: String) async throws {
        var claims = TestKeys.delegatedClaims()
        claims["ver"] = .string(version)

        #expect(try await rejection(claims)?.code == .unsupportedTokenVersion)
    }

    @Test("token without ver is rejected")
    func missingVersionIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["ver"] = nil

        #expect(try await rejection(claims)?.code == .unsupportedTokenVersion)
    }

    // MARK: Identity, tenant and calling application

    @Test("token without tid or oid is rejected", arguments: ["tid", "oid"])
    func missingIdentityIsRejected(claim: String) async throws {
        var claims = TestKeys.delegatedClaims()
        claims[claim] = nil

        #expect(try await rejection(claims)?.code == .missingIdentity)
    }

    @Test("token with a non-string tid or oid is rejected", arguments: ["tid", "oid"])
    func nonStringIdentityIsRejected(claim: String) async throws {
        var claims = TestKeys.delegatedClaims()
        claims[claim] = .integer(42)

        let rejection = try await rejection(claims)
        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "invalid_claim_type")
    }

    @Test("token from another tenant is rejected")
    func otherTenantIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["tid"] = .string(TestKeys.otherTenantID)

        #expect(try await rejection(claims)?.code == .tenantNotAllowed)
    }

    @Test("unlisted calling application is rejected")
    func unlistedClientIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["azp"] = "00000000-0000-0000-0000-00000000beef"

        #expect(try await rejection(claims)?.code == .clientNotAllowed)
    }

    @Test("token without azp or appid is rejected")
    func missingClientIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["azp"] = nil

        #expect(try await rejection(claims)?.code == .clientNotAllowed)
    }

    @Test("roles as a string are rejected")
    func rolesAsStringAreRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["roles"] = "Admin"

        let rejection = try await rejection(claims)

        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "invalid_claim_type")
    }

    @Test("roles with a non-string element are rejected")
    func rolesWithNumberAreRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["roles"] = ["Reader", .integer(1)]

        #expect(try await rejection(claims)?.detailCode == "invalid_claim_type")
    }

    // MARK: Registered claims

    @Test("token for another audience is rejected", arguments: [
        "00000003-0000-0000-c000-000000000000",
        "api://moat-api/",
        "9AC2B0EC-FBC8-4EE2-991E-793F1344ADAB",
    ])
    func otherAudienceIsRejected(audience: String) async throws {
        var claims = TestKeys.delegatedClaims()
        claims["aud"] = .string(audience)

        let rejection = try await rejection(claims)

        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "audience_mismatch")
    }

    @Test("token from another issuer is rejected")
    func otherIssuerIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["iss"] = .string("https://sts.windows.net/\(TestKeys.tenantID)/")

        #expect(try await rejection(claims)?.detailCode == "issuer_mismatch")
    }

    @Test("expired token is rejected")
    func expiredTokenIsRejected() async throws {
        let token = try TestKeys.sign(TestKeys.delegatedClaims())
        _ = try await validator.validate(token: token)

        clock.advance(by: 3600 + 61)
        let rejection = await rejection(header: "Bearer " + token)

        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "token_expired")
    }

    @Test("token within exp leeway is accepted")
    func tokenWithinLeewayIsAccepted() async throws {
        let token = try TestKeys.sign(TestKeys.delegatedClaims())

        clock.advance(by: 3600 + 59)
        let principal = try await validator.validate(token: token)

        #expect(principal.kind == .user)
    }

    @Test("token signed by an unpublished key is rejected")
    func attackerKeyIsRejected() async throws {
        let rejection = try await rejection(TestKeys.delegatedClaims(), signer: TestKeys.rotatedSigner)

        #expect(rejection?.code == .invalidToken)
        #expect(rejection?.detailCode == "unknown_key")
    }

    // MARK: Key rotation

    @Test("rotated key accepted after one refetch")
    func rotatedKeyIsAcceptedAfterRefetch() async throws {
        _ = try await validate(TestKeys.delegatedClaims())
        #expect(source.keySetFetches == 1)

        try source.serve([TestKeys.signer.publicJWK, TestKeys.rotatedSigner.publicJWK])
        clock.advance(by: 31)
        let principal = try await validate(TestKeys.delegatedClaims(now: clock.now()), signer: TestKeys.rotatedSigner)

        #expect(principal.objectID == TestKeys.userObjectID)
        #expect(source.keySetFetches == 2)
    }

    @Test("concurrent rotated-key tokens all accepted")
    func concurrentRotatedTokensAreAccepted() async throws {
        _ = try await keys.currentKeySet()
        try source.serve([TestKeys.signer.publicJWK, TestKeys.rotatedSigner.publicJWK])
        clock.advance(by: 31)
        source.setDelay(.milliseconds(200))
        let token = try TestKeys.sign(TestKeys.delegatedClaims(now: clock.now()), with: TestKeys.rotatedSigner)

        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await validator.validate(token: token)) != nil }
            }
            return await group.reduce(into: 0) { count, ok in count += ok ? 1 : 0 }
        }

        #expect(accepted == 20)
        #expect(source.keySetFetches == 2)
    }

    @Test("random kid flood causes one fetch")
    func randomKeyIDFloodIsRateLimited() async throws {
        _ = try await keys.currentKeySet()
        clock.advance(by: 31)

        let rejected = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    let token = TestKeys.unsignedToken(keyID: UUID().uuidString)
                    return (try? await validator.validate(token: token)) == nil
                }
            }
            return await group.reduce(into: 0) { count, wasRejected in count += wasRejected ? 1 : 0 }
        }

        #expect(rejected == 1000)
        #expect(source.keySetFetches == 2)
    }

    @Test("unavailable keys give keys_unavailable")
    func unavailableKeysAreReported() async throws {
        source.setFailing(true)

        let rejection = try await rejection(TestKeys.delegatedClaims())

        #expect(rejection?.code == .keysUnavailable)
    }
}
