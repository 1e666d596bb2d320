import Foundation
import MoatCore
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// A crafted bearer credential and the rejection the API's validator must give:
/// the ``TokenRejection`` code and, for JOSE-layer failures, its detail code.
struct TokenAttack: Sendable, CustomTestStringConvertible {
    let name: String
    let authorization: @Sendable () throws -> String?
    let code: TokenRejection.Code
    let detail: String?
    var testDescription: String { name }
}

private func bearer(_ name: String, _ code: TokenRejection.Code, _ detail: String? = nil, claims change: @escaping @Sendable (inout JSONObject) -> Void) -> TokenAttack {
    TokenAttack(name: name, authorization: {
        var claims = TestKeys.delegatedClaims()
        change(&claims)
        return "Bearer " + (try TestKeys.sign(claims))
    }, code: code, detail: detail)
}

private func rawToken(header: String, claims: JSONObject = TestKeys.delegatedClaims(), signature: Data) -> String {
    Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(JSONValue.object(claims).serialized()) + "." + Base64URL.encode(signature)
}

private let start = Int64(TestKeys.start.timeIntervalSince1970)
private let impostor = Result { try JWTSigner(privateKey: PrivateKey.generateRSA(bits: 2048), algorithm: .rs256, keyID: "key-1") }

let tokenAttacks: [TokenAttack] = [
    // Authorization header (RFC 6750 §2.1).
    TokenAttack(name: "no Authorization header", authorization: { nil }, code: .missingToken, detail: nil),
    TokenAttack(name: "Basic credentials instead of a bearer token", authorization: { "Basic YWxpY2U6bW9hdC1kZW1v" }, code: .malformedAuthorization, detail: nil),
    TokenAttack(name: "bearer value with a space", authorization: { "Bearer a b" }, code: .malformedAuthorization, detail: nil),

    // Algorithm and key handling.
    TokenAttack(name: "alg none", authorization: { "Bearer " + rawToken(header: #"{"alg":"none","kid":"key-1"}"#, signature: Data([0])) }, code: .invalidToken, detail: "unsupported_algorithm"),
    TokenAttack(name: "HS256 keyed with the JWKS public key", authorization: {
        let pem = TestKeys.signer.publicJWK.publicKey.pemEncoded()
        let header = #"{"alg":"HS256","kid":"key-1"}"#
        let input = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(JSONValue.object(TestKeys.delegatedClaims()).serialized())
        return "Bearer " + input + "." + Base64URL.encode(HMAC.sha256(key: Data(pem.utf8), message: Data(input.utf8)))
    }, code: .invalidToken, detail: "unsupported_algorithm"),
    TokenAttack(name: "token signed by another key under the same kid", authorization: {
        "Bearer " + (try impostor.get().sign(claims: TestKeys.delegatedClaims()))
    }, code: .invalidToken, detail: "invalid_signature"),
    TokenAttack(name: "unknown kid", authorization: { "Bearer " + TestKeys.unsignedToken(keyID: "no-such-key") }, code: .invalidToken, detail: "unknown_key"),
    TokenAttack(name: "jku header pointing at a loopback JWKS", authorization: {
        "Bearer " + (try TestKeys.signer.sign(claims: TestKeys.delegatedClaims(), additionalHeader: ["jku": "http://127.0.0.1:1/keys"]))
    }, code: .invalidToken, detail: "forbidden_header"),
    TokenAttack(name: "x5t header that is not a string", authorization: {
        "Bearer " + (try TestKeys.signer.sign(claims: TestKeys.delegatedClaims(), additionalHeader: ["x5t": 1]))
    }, code: .invalidToken, detail: "invalid_header"),
    TokenAttack(name: "token of 20 KiB", authorization: { "Bearer " + String(repeating: "a", count: 20 * 1024) }, code: .invalidToken, detail: "token_too_large"),

    // Registered claims (RFC 7519 §4.1).
    bearer("iss with a trailing slash", .invalidToken, "issuer_mismatch") { $0["iss"] = .string(TestKeys.issuer + "/") },
    bearer("iss over http", .invalidToken, "issuer_mismatch") { $0["iss"] = .string(TestKeys.issuer.replacingOccurrences(of: "https://", with: "http://")) },
    bearer("iss with a suffix", .invalidToken, "issuer_mismatch") { $0["iss"] = .string(TestKeys.issuer + ".evil") },
    bearer("iss in upper case", .invalidToken, "issuer_mismatch") { $0["iss"] = .string(TestKeys.issuer.uppercased()) },
    bearer("v1 issuer form", .invalidToken, "issuer_mismatch") { $0["iss"] = .string("https://sts.windows.net/\(TestKeys.tenantID)/") },
    bearer("iss as an array", .invalidToken, "invalid_claim_type") { $0["iss"] = .array([.string(TestKeys.issuer)]) },
    bearer("aud of Microsoft Graph", .invalidToken, "audience_mismatch") { $0["aud"] = "00000003-0000-0000-c000-000000000000" },
    bearer("aud as a number", .invalidToken, "invalid_claim_type") { $0["aud"] = 123 },
    bearer("exp in the past", .invalidToken, "token_expired") { $0["exp"] = .integer(start - 120) },
    bearer("exp missing", .invalidToken, "missing_claim") { $0["exp"] = nil },
    bearer("exp as a string", .invalidToken, "invalid_claim_type") { $0["exp"] = "9999999999" },
    bearer("nbf in the future", .invalidToken, "token_not_yet_valid") { $0["nbf"] = .integer(start + 600) },
    bearer("iat in the future", .invalidToken, "issued_in_future") { $0["iat"] = .integer(start + 600) },
    bearer("iat missing", .invalidToken, "missing_claim") { $0["iat"] = nil },
    bearer("iat two days ago with a far exp", .invalidToken, "token_too_old") {
        $0["iat"] = .integer(start - 172_800)
        $0["exp"] = .integer(start + 315_360_000)
    },
    bearer("jti as a number", .invalidToken, "invalid_claim_type") { $0["jti"] = 7 },

    // Entra claims.
    bearer("roles as a string", .invalidToken, "invalid_claim_type") { $0["roles"] = "Admin" },
    bearer("groups as a string", .invalidToken, "invalid_claim_type") { $0["groups"] = .string(TestKeys.groupObjectID) },
    bearer("scp as an array", .invalidToken, "invalid_claim_type") { $0["scp"] = ["Chat"] },
    bearer("hasgroups as a string", .invalidToken, "invalid_claim_type") { $0["hasgroups"] = "true" },
    bearer("_claim_names as an array", .invalidToken, "invalid_claim_type") { $0["_claim_names"] = ["groups"] },
    bearer("tid as a number", .invalidToken, "invalid_claim_type") { $0["tid"] = 1 },
    bearer("ver 3.0", .unsupportedTokenVersion) { $0["ver"] = "3.0" },
    bearer("ver missing", .unsupportedTokenVersion) { $0["ver"] = nil },
    bearer("ID token presented as an access token", .notAnAccessToken) {
        $0["nonce"] = "n-0S6_WzA2Mj"
        $0["scp"] = nil
        $0["roles"] = nil
    },
    bearer("ID token that also carries roles", .notAnAccessToken) { $0["nonce"] = "n-0S6_WzA2Mj" },
    bearer("token without scp or roles", .notAnAccessToken) {
        $0["scp"] = nil
        $0["roles"] = nil
    },
    bearer("token from another tenant", .tenantNotAllowed) { $0["tid"] = .string(TestKeys.otherTenantID) },
    bearer("token without oid", .missingIdentity) { $0["oid"] = nil },
    bearer("token from an unlisted client app", .clientNotAllowed) { $0["azp"] = "00000000-0000-0000-0000-00000000beef" },
    bearer("group overage with no lookup configured", .groupOverageUnresolved) {
        $0["groups"] = nil
        $0["_claim_names"] = ["groups": "src1"]
        $0["_claim_sources"] = ["src1": ["endpoint": "http://127.0.0.1:1/users/x/getMemberObjects"]]
    },
]

@Suite("Token attacks at the API")
struct TokenAttackTests {
    @Test("crafted bearer token is rejected with its code", arguments: tokenAttacks)
    func craftedTokenIsRejected(_ attack: TokenAttack) async throws {
        let clock = ManualClock(TestKeys.start)
        let keys = KeySetCache(source: try FakeKeySetSource(keys: [TestKeys.signer.publicJWK]), clock: clock)
        let policy = AccessTokenPolicy(
            issuer: TestKeys.issuer, audiences: [TestKeys.apiClientID, "api://moat-api"], allowedClientApps: [TestKeys.webClientID])
        let validator = AccessTokenValidator(policy: policy, keys: keys, clock: clock)

        let authorization = try attack.authorization()
        var rejection: TokenRejection?
        do {
            _ = try await validator.validate(authorizationHeader: authorization)
        } catch {
            rejection = error
        }

        #expect(rejection?.code == attack.code)
        #expect(rejection?.detailCode == attack.detail)
    }
}
