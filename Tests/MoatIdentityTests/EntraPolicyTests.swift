import Foundation
import MoatCore
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// Builds a validator for `policy` over the test signing key, on a manual clock.
private func makeValidator(_ policy: AccessTokenPolicy, groupResolver: (any GroupMembershipResolver)? = nil) throws -> AccessTokenValidator {
    let keys = KeySetCache(source: try FakeKeySetSource(keys: [TestKeys.signer.publicJWK]), clock: ManualClock(TestKeys.start))
    return AccessTokenValidator(policy: policy, keys: keys, clock: ManualClock(TestKeys.start), groupResolver: groupResolver)
}

private func rejection(_ validator: AccessTokenValidator, _ claims: JSONObject) async throws -> TokenRejection? {
    do {
        _ = try await validator.validate(token: TestKeys.sign(claims))
        return nil
    } catch let rejection as TokenRejection {
        return rejection
    }
}

/// Claims of a v1.0 token: `sts.windows.net` issuer, `appid`, `upn`, App ID URI audience.
private func v1Claims(tenant: String = TestKeys.tenantID) -> JSONObject {
    var claims = TestKeys.delegatedClaims()
    claims["iss"] = .string("https://sts.windows.net/\(tenant)/")
    claims["tid"] = .string(tenant)
    claims["aud"] = "api://moat-api"
    claims["ver"] = "1.0"
    claims["azp"] = nil
    claims["appid"] = .string(TestKeys.webClientID)
    claims["preferred_username"] = nil
    claims["upn"] = "alice@fabrikam.example"
    return claims
}

private let multiTenantIssuer = "https://login.example.test/{tenantid}/v2.0"

/// Returns `groups` for every user and counts calls.
private final class FixedGroups: GroupMembershipResolver, @unchecked Sendable {
    // @unchecked: `calls` is only touched while `lock` is held.
    private let lock = NSLock()
    private var calls = 0
    let groups: [String]
    let fails: Bool

    init(_ groups: [String], fails: Bool = false) {
        self.groups = groups
        self.fails = fails
    }

    var callCount: Int { lock.withLock { calls } }

    func groupObjectIDs(tenantID: String, objectID: String) async throws -> [String] {
        lock.withLock { calls += 1 }
        if fails { throw TokenRejection(.groupResolutionFailed, "directory unavailable") }
        return groups
    }
}

@Suite("Entra token policy")
struct EntraPolicyTests {
    let basePolicy = AccessTokenPolicy(
        issuer: TestKeys.issuer, audiences: [TestKeys.apiClientID, "api://moat-api"], allowedClientApps: [TestKeys.webClientID])

    // MARK: Multi-tenant issuer template

    @Test("multi-tenant template accepts an allowed tenant")
    func templateAcceptsAllowedTenant() async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer
        policy.allowedTenants = [TestKeys.otherTenantID]
        var claims = TestKeys.delegatedClaims()
        claims["tid"] = .string(TestKeys.otherTenantID)
        claims["iss"] = .string("https://login.example.test/\(TestKeys.otherTenantID)/v2.0")

        let principal = try await makeValidator(policy).validate(token: TestKeys.sign(claims))

        #expect(principal.tenantID == TestKeys.otherTenantID)
    }

    @Test("multi-tenant template rejects a tenant outside the allow-list")
    func templateRejectsOtherTenant() async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer
        policy.allowedTenants = [TestKeys.otherTenantID]

        let rejection = try await rejection(makeValidator(policy), TestKeys.delegatedClaims())

        #expect(rejection?.code == .tenantNotAllowed)
    }

    @Test("multi-tenant template without an allow-list accepts no tenant")
    func templateWithoutAllowListFailsClosed() async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer

        let rejection = try await rejection(makeValidator(policy), TestKeys.delegatedClaims())

        #expect(rejection?.code == .tenantNotAllowed)
    }

    @Test("issuer naming another tenant than tid is rejected")
    func issuerTenantMustMatchTid() async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer
        policy.allowedTenants = [TestKeys.tenantID, TestKeys.otherTenantID]
        var claims = TestKeys.delegatedClaims()
        claims["tid"] = .string(TestKeys.otherTenantID)

        let rejection = try await rejection(makeValidator(policy), claims)

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "issuer_mismatch", ""))
    }

    @Test("tid that is not a GUID cannot complete the template", arguments: ["x/v2.0", "", "1921488a-9834-4920-864a-44dfc001e2df/.."])
    func nonGUIDTenantIsRejected(tenant: String) async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer
        policy.allowedTenants = [tenant]
        var claims = TestKeys.delegatedClaims()
        claims["tid"] = .string(tenant)
        claims["iss"] = .string("https://login.example.test/\(tenant)/v2.0")

        let rejection = try await rejection(makeValidator(policy), claims)

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "issuer_mismatch", ""))
    }

    // MARK: v1.0 tokens

    @Test("v1.0 token is accepted when a v1 issuer is configured")
    func v1TokenAccepted() async throws {
        var policy = basePolicy
        policy.v1Issuer = "https://sts.windows.net/{tenantid}/"
        policy.allowedTenants = [TestKeys.tenantID]

        let principal = try await makeValidator(policy).validate(token: TestKeys.sign(v1Claims()))

        #expect(principal.clientAppID == TestKeys.webClientID)
        #expect(principal.username == "alice@fabrikam.example")
        #expect(principal.userID == "\(TestKeys.tenantID):\(TestKeys.userObjectID)")
    }

    @Test("v1.0 token is rejected without a v1 issuer")
    func v1TokenRejectedByDefault() async throws {
        var claims = v1Claims()
        claims["iss"] = .string(TestKeys.issuer)

        let rejection = try await rejection(makeValidator(basePolicy), claims)

        #expect(rejection?.code == .unsupportedTokenVersion)
    }

    @Test("ver 1.0 under the v2.0 issuer is rejected")
    func versionMustMatchIssuer() async throws {
        var policy = basePolicy
        policy.v1Issuer = "https://sts.windows.net/{tenantid}/"
        var claims = v1Claims()
        claims["iss"] = .string(TestKeys.issuer)

        let rejection = try await rejection(makeValidator(policy), claims)

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "issuer_mismatch", ""))
    }

    @Test("v2.0 token naming its caller only in appid is rejected")
    func v2CallerMustBeInAzp() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["azp"] = nil
        claims["appid"] = .string(TestKeys.webClientID)

        let rejection = try await rejection(makeValidator(basePolicy), claims)

        #expect(rejection?.code == .clientNotAllowed)
    }

    // MARK: Age, identity, token type

    @Test("token older than the maximum age is rejected")
    func maximumAgeIsEnforced() async throws {
        var policy = basePolicy
        policy.maxTokenAge = 600
        var claims = TestKeys.delegatedClaims(now: TestKeys.start.addingTimeInterval(-700))
        claims["exp"] = .integer(Int64(TestKeys.start.timeIntervalSince1970) + 3600)

        let rejection = try await rejection(makeValidator(policy), claims)

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "token_too_old", ""))
    }

    @Test("algorithm outside the issuer's allow-list is rejected")
    func issuerAlgorithmAllowList() async throws {
        var policy = basePolicy
        policy.allowedAlgorithms = [.es256]

        let rejection = try await rejection(makeValidator(policy), TestKeys.delegatedClaims())

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "algorithm_not_allowed", ""))
    }

    @Test("same oid in another tenant is another user")
    func usersAreKeyedByTenantAndObjectID() async throws {
        var policy = basePolicy
        policy.issuer = multiTenantIssuer
        policy.allowedTenants = [TestKeys.tenantID, TestKeys.otherTenantID]
        var other = TestKeys.delegatedClaims()
        other["tid"] = .string(TestKeys.otherTenantID)
        other["iss"] = .string("https://login.example.test/\(TestKeys.otherTenantID)/v2.0")
        let validator = try makeValidator(policy)

        let home = try await validator.validate(token: TestKeys.sign(TestKeys.delegatedClaims()))
        let guest = try await validator.validate(token: TestKeys.sign(other))

        #expect(home.username == guest.username)
        #expect(home.userID != guest.userID)
    }

    // MARK: Group overage

    @Test("overage token without a resolver is rejected", arguments: ["_claim_names", "hasgroups"])
    func overageWithoutResolverIsRejected(indicator: String) async throws {
        var claims = TestKeys.delegatedClaims()
        claims["groups"] = nil
        if indicator == "hasgroups" {
            claims["hasgroups"] = true
        } else {
            claims["_claim_names"] = ["groups": "src1"]
            claims["_claim_sources"] = ["src1": ["endpoint": "http://127.0.0.1:1/evil"]]
        }

        let rejection = try await rejection(makeValidator(basePolicy), claims)

        #expect(rejection?.code == .groupOverageUnresolved)
    }

    @Test("overage token gets its groups from the resolver")
    func overageIsResolved() async throws {
        let resolver = FixedGroups(["g-1", "g-2"])
        var claims = TestKeys.delegatedClaims()
        claims["groups"] = nil
        claims["_claim_names"] = ["groups": "src1"]

        let principal = try await makeValidator(basePolicy, groupResolver: resolver).validate(token: TestKeys.sign(claims))

        #expect(principal.groups == ["g-1", "g-2"])
        #expect(resolver.callCount == 1)
    }

    @Test("token with groups does not call the resolver")
    func groupsClaimNeedsNoLookup() async throws {
        let resolver = FixedGroups(["g-1"])

        let principal = try await makeValidator(basePolicy, groupResolver: resolver).validate(token: TestKeys.sign(TestKeys.delegatedClaims()))

        #expect(principal.groups == [TestKeys.groupObjectID])
        #expect(resolver.callCount == 0)
    }

    @Test("failed group lookup rejects the token")
    func failedLookupIsRejected() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["groups"] = nil
        claims["hasgroups"] = true

        let rejection = try await rejection(makeValidator(basePolicy, groupResolver: FixedGroups([], fails: true)), claims)

        #expect(rejection?.code == .groupResolutionFailed)
    }
}

@Suite("token rejection reasons name the setting")
struct RejectionSettingHintTests {
    let gatewayPolicy: AccessTokenPolicy = {
        var policy = AccessTokenPolicy(
            issuer: TestKeys.issuer, audiences: [TestKeys.apiClientID, "api://moat-api"], allowedClientApps: [TestKeys.webClientID])
        policy.settingsSection = "gateway"
        return policy
    }()

    @Test("v1.0 token at another issuer names v1_issuer")
    func v1IssuerMismatchNamesSetting() async throws {
        let rejection = try await rejection(makeValidator(gatewayPolicy), v1Claims())

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "issuer_mismatch", ""))
        #expect(rejection?.reason.contains("gateway.v1_issuer") == true, "reason: \(rejection?.reason ?? "none")")
    }

    @Test("v2.0 token at another issuer gets no v1 hint")
    func v2IssuerMismatchHasNoHint() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["iss"] = "https://login.example.test/other/v2.0"

        let rejection = try await rejection(makeValidator(gatewayPolicy), claims)

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "issuer_mismatch", ""))
        #expect(rejection?.reason.contains("v1_issuer") == false, "reason: \(rejection?.reason ?? "none")")
    }

    @Test("ver 1.0 without a v1 issuer names v1_issuer")
    func unsupportedVersionNamesSetting() async throws {
        var claims = v1Claims()
        claims["iss"] = .string(TestKeys.issuer)

        let rejection = try await rejection(makeValidator(gatewayPolicy), claims)

        #expect(rejection?.code == .unsupportedTokenVersion)
        #expect(rejection?.reason.contains("gateway.v1_issuer") == true, "reason: \(rejection?.reason ?? "none")")
    }

    @Test("algorithm outside the allow-list names algorithms")
    func algorithmNotAllowedNamesSetting() async throws {
        var policy = gatewayPolicy
        policy.allowedAlgorithms = [.es256, .ps256]

        let rejection = try await rejection(makeValidator(policy), TestKeys.delegatedClaims())

        let reason = rejection?.reason ?? "none"
        #expect(reason.contains("gateway.algorithms"), "reason: \(reason)")
        #expect(reason.contains("this API accepts ES256, PS256"), "reason: \(reason)")
    }

    @Test("unsupported algorithm names the accepted ones")
    func unsupportedAlgorithmNamesAccepted() async throws {
        let header = Base64URL.encode(Data(#"{"alg":"HS256","kid":"key-1"}"#.utf8))
        let payload = Base64URL.encode(Data(#"{"ver":"2.0"}"#.utf8))
        let validator = try makeValidator(gatewayPolicy)

        var rejection: TokenRejection?
        do {
            _ = try await validator.validate(token: "\(header).\(payload).c2ln")
        } catch {
            rejection = error
        }

        #expect(rejection == TokenRejection(.invalidToken, detailCode: "unsupported_algorithm", ""))
        #expect(rejection?.reason.contains("this API accepts RS256; request a token signed with one of them") == true, "reason: \(rejection?.reason ?? "none")")
        #expect(rejection?.reason.contains("gateway.algorithms") == false, "reason: \(rejection?.reason ?? "none")")
    }

    @Test("overage without a resolver names group_overage")
    func overageNamesSetting() async throws {
        var claims = TestKeys.delegatedClaims()
        claims["groups"] = nil
        claims["hasgroups"] = true

        let rejection = try await rejection(makeValidator(gatewayPolicy), claims)

        #expect(rejection?.code == .groupOverageUnresolved)
        #expect(rejection?.reason.contains("gateway.group_overage = \"resolve\"") == true, "reason: \(rejection?.reason ?? "none")")
    }

    @Test("app-only token without roles asks for an app role")
    func appOnlyWithoutRolesAsksForRole() async throws {
        var claims = TestKeys.appOnlyClaims()
        claims["roles"] = nil

        let rejection = try await rejection(makeValidator(gatewayPolicy), claims)

        let reason = rejection?.reason ?? "none"
        #expect(rejection?.code == .notAnAccessToken)
        #expect(reason.contains("no app role on this API"), "reason: \(reason)")
        #expect(reason.contains("[[assignments]]"), "reason: \(reason)")
    }
}
