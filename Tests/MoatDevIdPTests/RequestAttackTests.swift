import Foundation
import MoatCrypto
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

/// A crafted request to the dev identity provider and how it must be rejected:
/// the HTTP status, the OAuth `error` (or Graph error code, or `page` for an
/// error page) and the `suberror` naming the rule.
struct RequestAttack: Sendable, CustomTestStringConvertible {
    let name: String
    let status: Int
    let error: String
    let code: String
    let send: @Sendable (IdentityProviderHarness) async throws -> HTTPResponse
    var testDescription: String { name }
}

private typealias H = IdentityProviderHarness
private let clientCredentials: [(String, String)] = [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")]

/// Token endpoint request with an assertion from the certificate client, changed by `claims` and `header`.
private func assertionAttack(
    _ name: String, _ code: String, claims: @escaping @Sendable (inout JSONObject) -> Void = { _ in },
    header: @escaping @Sendable (inout JSONObject) -> Void = { _ in }
) -> RequestAttack {
    RequestAttack(name: name, status: 401, error: "invalid_client", code: code) { harness in
        let assertion = try harness.certificateAssertion(claims: claims, header: header)
        return await harness.tokenWithAssertion(clientCredentials, assertion: assertion, clientID: harness.certificateClient.clientID)
    }
}

private func app(_ harness: H, _ name: String) throws -> Directory.App { try harness.app(name) }

/// alice's delegated token for moat-api, obtained through moat-web.
private func userToken(_ harness: H) async throws -> String {
    let tokens = try await harness.signInTokens(client: try app(harness, "moat-web"), user: "alice", scope: "openid api://moat-api/Chat")
    return try #require(tokens["access_token"]?.stringValue)
}

private func appToken(_ harness: H, client: String, scope: String) async throws -> String {
    let response = await harness.token([("grant_type", "client_credentials"), ("scope", scope)], client: try app(harness, client))
    guard let token = try response.jsonObject()["access_token"]?.stringValue else { throw HarnessFailure("no app token: \(response.text)") }
    return token
}

/// An on-behalf-of request from moat-api with `assertion`.
private func onBehalfOf(_ harness: H, assertion: String, scope: String = "api://downstream/Files.Read", tokenUse: String? = "on_behalf_of") async throws -> HTTPResponse {
    var form: [(String, String)] = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion), ("scope", scope)]
    if let tokenUse { form.append(("requested_token_use", tokenUse)) }
    return await harness.token(form, client: try app(harness, "moat-api"))
}

/// A code for moat-web and its PKCE verifier.
private func codeForWeb(_ harness: H) async throws -> (code: String, pkce: PKCE, client: Directory.App) {
    let web = try app(harness, "moat-web")
    let pkce = PKCE()
    return (try await harness.authorizationCode(client: web, user: "alice", pkce: pkce), pkce, web)
}

private func authorize(_ harness: H, _ change: @Sendable ([(String, String)]) -> [(String, String)]) async throws -> HTTPResponse {
    let web = try app(harness, "moat-web")
    return await harness.get(harness.authorizePath, query: change(harness.authorizeParameters(client: web, pkce: PKCE())))
}

private func graph(_ harness: H, token: String?) async -> HTTPResponse {
    let user = try? harness.user("alice")
    var headers = HTTPHeaders([("Content-Type", "application/json")])
    if let token { headers.add("Authorization", "Bearer \(token)") }
    let request = HTTPRequest(
        method: "POST", target: "/v1.0/users/\(user?.objectID ?? "")/getMemberObjects", headers: headers, body: Data("{}".utf8))
    return await harness.provider.respond(to: request)
}

private let attackerKey = Result { try PrivateKey.generateRSA(bits: 2048) }

let requestAttacks: [RequestAttack] = [
    // Token endpoint: request shape and client authentication (RFC 6749 §2.3, §3.2).
    RequestAttack(name: "client secret in the query string", status: 400, error: "invalid_request", code: "parameters_in_query") { harness in
        let auditor = try app(harness, "moat-auditor")
        return await harness.post(harness.tokenPath + "?client_secret=\(auditor.clientSecret ?? "")", form: clientCredentials, headers: [H.basic(auditor)])
    },
    RequestAttack(name: "repeated grant_type parameter", status: 400, error: "invalid_request", code: "malformed_form") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [("grant_type", "password")], headers: [H.basic(try app(harness, "moat-auditor"))])
    },
    RequestAttack(name: "grant_type missing", status: 400, error: "invalid_request", code: "missing_grant_type") { harness in
        await harness.token([("scope", "api://moat-api/.default")], client: try app(harness, "moat-auditor"))
    },
    RequestAttack(name: "password grant (ROPC)", status: 400, error: "unsupported_grant_type", code: "unsupported_grant_type") { harness in
        await harness.token([("grant_type", "password"), ("username", "alice"), ("password", "moat-demo")], client: try app(harness, "moat-web"))
    },
    RequestAttack(name: "unregistered client_id", status: 401, error: "invalid_client", code: "unknown_client") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [("client_id", "00000000-0000-0000-0000-000000000001"), ("client_secret", "x")])
    },
    RequestAttack(name: "wrong client secret", status: 401, error: "invalid_client", code: "invalid_client_secret") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials, headers: [H.basic(try app(harness, "moat-auditor"), secret: "guess")])
    },
    RequestAttack(name: "secret in both HTTP Basic and body", status: 401, error: "invalid_client", code: "multiple_client_secrets") { harness in
        let auditor = try app(harness, "moat-auditor")
        return await harness.post(harness.tokenPath, form: clientCredentials + [("client_secret", auditor.clientSecret ?? "")], headers: [H.basic(auditor)])
    },
    RequestAttack(name: "Authorization header not HTTP Basic", status: 401, error: "invalid_client", code: "malformed_basic_authentication") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials, headers: [("Authorization", "Basic not-base64!")])
    },
    RequestAttack(name: "confidential client without its secret", status: 401, error: "invalid_client", code: "missing_client_secret") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [("client_id", try app(harness, "moat-auditor").clientID)])
    },
    RequestAttack(name: "body client_id differs from HTTP Basic", status: 401, error: "invalid_client", code: "client_id_mismatch") { harness in
        await harness.post(
            harness.tokenPath, form: clientCredentials + [("client_id", try app(harness, "moat-web").clientID)],
            headers: [H.basic(try app(harness, "moat-auditor"))])
    },
    RequestAttack(name: "public client presents a secret", status: 401, error: "invalid_client", code: "client_has_no_secret") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [("client_id", TestDirectory.publicClientID), ("client_secret", "x")])
    },
    RequestAttack(name: "assertion and secret together", status: 401, error: "invalid_client", code: "multiple_client_authentications") { harness in
        await harness.tokenWithAssertion(clientCredentials, assertion: try harness.certificateAssertion(), headers: [H.basic(try app(harness, "moat-auditor"))])
    },
    RequestAttack(name: "SAML client_assertion_type", status: 401, error: "invalid_client", code: "unsupported_assertion_type") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"), ("client_assertion", try harness.certificateAssertion()),
        ])
    },
    RequestAttack(name: "client_assertion not a JWS", status: 401, error: "invalid_client", code: "malformed_client_assertion") { harness in
        await harness.tokenWithAssertion(clientCredentials, assertion: "a.b", clientID: harness.certificateClient.clientID)
    },
    RequestAttack(name: "assertion for a client without key credentials", status: 401, error: "invalid_client", code: "no_key_credentials") { harness in
        let auditor = try app(harness, "moat-auditor")
        return await harness.tokenWithAssertion(
            clientCredentials, assertion: try harness.certificateAssertion(claims: { $0["iss"] = .string(auditor.clientID); $0["sub"] = .string(auditor.clientID) }),
            clientID: auditor.clientID)
    },

    // Client assertions (RFC 7523 §3; attacks from RFC 8725).
    assertionAttack("assertion naming another certificate's thumbprint", "unknown_client_key", header: { $0["x5t#S256"] = .string(Base64URL.encode(Data(repeating: 7, count: 32))) }),
    assertionAttack("assertion naming no key at all", "unknown_client_key", header: { $0["x5t#S256"] = nil }),
    assertionAttack("assertion with alg none", "unsupported_algorithm", header: { $0["alg"] = "none" }),
    assertionAttack("assertion with alg HS256", "unsupported_algorithm", header: { $0["alg"] = "HS256" }),
    assertionAttack("assertion with alg ES256 for an RSA certificate", "key_algorithm_mismatch", header: { $0["alg"] = "ES256" }),
    assertionAttack("assertion with an embedded jwk", "forbidden_header", header: { $0["jwk"] = ["kty": "RSA"] }),
    assertionAttack("assertion with a jku URL", "forbidden_header", header: { $0["jku"] = "http://127.0.0.1:1/keys" }),
    assertionAttack("assertion with crit", "unsupported_critical_header", header: { $0["crit"] = ["exp"] }),
    assertionAttack("assertion with an x5c of another certificate", "forbidden_header", header: { $0["x5c"] = ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"] }),
    assertionAttack("assertion for another audience", "audience_mismatch", claims: { $0["aud"] = "https://login.example.test/other/oauth2/v2.0/token" }),
    assertionAttack("assertion issued by another client", "issuer_mismatch", claims: { $0["iss"] = "3080bac2-6138-4947-912b-a2e963f98948" }),
    assertionAttack("assertion whose sub is another client", "subject_mismatch", claims: { $0["sub"] = "3080bac2-6138-4947-912b-a2e963f98948" }),
    assertionAttack("expired assertion", "token_expired", claims: { $0["exp"] = .integer(1_800_000_000 - 120) }),
    assertionAttack("assertion not yet valid", "token_not_yet_valid", claims: { $0["nbf"] = .integer(1_800_000_000 + 600) }),
    assertionAttack("assertion valid for two hours", "assertion_lifetime_too_long", claims: { $0["exp"] = .integer(1_800_000_000 + 7200) }),
    assertionAttack("assertion without jti", "missing_claim", claims: { $0["jti"] = nil }),
    assertionAttack("assertion with exp as a string", "invalid_claim_type", claims: { $0["exp"] = "1800000600" }),
    RequestAttack(name: "assertion signed by an attacker's key", status: 401, error: "invalid_client", code: "invalid_signature") { harness in
        let certificate = try TestDirectory.Credentials.certificate.get()
        let claims = ClientAssertions.claims(clientID: harness.certificateClient.clientID, audience: harness.tokenEndpoint, now: harness.clock.now())
        let assertion = try ClientAssertions.sign(
            header: ClientAssertions.certificateHeader(certificate), claims: claims, key: attackerKey.get(), algorithm: .rsaPSSSHA256)
        return await harness.tokenWithAssertion(clientCredentials, assertion: assertion)
    },
    RequestAttack(name: "replayed assertion jti", status: 401, error: "invalid_client", code: "client_assertion_replayed") { harness in
        let assertion = try harness.certificateAssertion()
        _ = await harness.tokenWithAssertion(clientCredentials, assertion: assertion)
        return await harness.tokenWithAssertion(clientCredentials, assertion: assertion)
    },
    RequestAttack(name: "assertion after the certificate expired", status: 401, error: "invalid_client", code: "certificate_expired") { harness in
        harness.clock.set(Date(timeIntervalSince1970: 1_900_000_100))
        return await harness.tokenWithAssertion(clientCredentials, assertion: try harness.certificateAssertion())
    },

    // Authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §4.8).
    RequestAttack(name: "code redeemed without code_verifier", status: 400, error: "invalid_request", code: "missing_parameter") { harness in
        let (code, _, web) = try await codeForWeb(harness)
        return await harness.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", web.redirectURIs[0])], client: web)
    },
    RequestAttack(name: "unknown code", status: 400, error: "invalid_grant", code: "code_invalid_or_expired") { harness in
        await harness.redeem(code: "not-a-code", client: try app(harness, "moat-web"), verifier: PKCE().verifier)
    },
    RequestAttack(name: "code redeemed twice", status: 400, error: "invalid_grant", code: "code_replayed") { harness in
        let (code, pkce, web) = try await codeForWeb(harness)
        _ = await harness.redeem(code: code, client: web, verifier: pkce.verifier)
        return await harness.redeem(code: code, client: web, verifier: pkce.verifier)
    },
    RequestAttack(name: "code older than 60 seconds", status: 400, error: "invalid_grant", code: "code_invalid_or_expired") { harness in
        let (code, pkce, web) = try await codeForWeb(harness)
        harness.clock.advance(by: 61)
        return await harness.redeem(code: code, client: web, verifier: pkce.verifier)
    },
    RequestAttack(name: "code redeemed by another client", status: 400, error: "invalid_grant", code: "client_mismatch") { harness in
        let (code, pkce, _) = try await codeForWeb(harness)
        let auditor = try app(harness, "moat-auditor")
        return await harness.redeem(code: code, client: auditor, verifier: pkce.verifier, redirectURI: try app(harness, "moat-web").redirectURIs[0])
    },
    RequestAttack(name: "code redeemed with another redirect_uri", status: 400, error: "invalid_grant", code: "redirect_uri_mismatch") { harness in
        let (code, pkce, web) = try await codeForWeb(harness)
        return await harness.redeem(code: code, client: web, verifier: pkce.verifier, redirectURI: "https://evil.example/cb")
    },
    RequestAttack(name: "code_verifier of another sign-in", status: 400, error: "invalid_grant", code: "pkce_mismatch") { harness in
        let (code, _, web) = try await codeForWeb(harness)
        return await harness.redeem(code: code, client: web, verifier: PKCE().verifier)
    },
    RequestAttack(name: "code_verifier of 42 characters", status: 400, error: "invalid_grant", code: "malformed_code_verifier") { harness in
        let (code, _, web) = try await codeForWeb(harness)
        return await harness.redeem(code: code, client: web, verifier: String(repeating: "a", count: 42))
    },

    // Refresh tokens (RFC 9700 §4.14).
    RequestAttack(name: "unknown refresh token", status: 400, error: "invalid_grant", code: "refresh_token_invalid") { harness in
        await harness.refresh("not-a-refresh-token", client: try app(harness, "moat-web"))
    },
    RequestAttack(name: "rotated refresh token presented again", status: 400, error: "invalid_grant", code: "refresh_token_reused") { harness in
        let web = try app(harness, "moat-web")
        let tokens = try await harness.signInTokens(client: web, user: "alice")
        let refreshToken = try #require(tokens["refresh_token"]?.stringValue)
        _ = await harness.refresh(refreshToken, client: web)
        return await harness.refresh(refreshToken, client: web)
    },
    RequestAttack(name: "refresh token redeemed by another client", status: 400, error: "invalid_grant", code: "client_mismatch") { harness in
        let tokens = try await harness.signInTokens(client: try app(harness, "moat-web"), user: "alice")
        return await harness.refresh(try #require(tokens["refresh_token"]?.stringValue), client: try app(harness, "moat-auditor"))
    },

    // Client credentials (RFC 6749 §4.4).
    RequestAttack(name: "client credentials for a public client", status: 400, error: "unauthorized_client", code: "public_client") { harness in
        await harness.post(harness.tokenPath, form: clientCredentials + [("client_id", TestDirectory.publicClientID)])
    },
    RequestAttack(name: "client credentials for a delegated scope", status: 400, error: "invalid_scope", code: "scope_not_default") { harness in
        await harness.token([("grant_type", "client_credentials"), ("scope", "api://moat-api/Chat")], client: try app(harness, "moat-auditor"))
    },

    // On-behalf-of (Entra ID's jwt-bearer grant).
    RequestAttack(name: "jwt-bearer grant without requested_token_use", status: 400, error: "invalid_request", code: "unsupported_requested_token_use") { harness in
        try await onBehalfOf(harness, assertion: try await userToken(harness), tokenUse: nil)
    },
    RequestAttack(name: "on-behalf-of with a token for another audience", status: 400, error: "invalid_grant", code: "audience_mismatch") { harness in
        let token = try await appToken(harness, client: "moat-auditor", scope: "https://graph.microsoft.com/.default")
        return try await onBehalfOf(harness, assertion: token)
    },
    RequestAttack(name: "on-behalf-of with an app-only token", status: 400, error: "invalid_grant", code: "app_only_assertion") { harness in
        try await onBehalfOf(harness, assertion: try await appToken(harness, client: "moat-auditor", scope: "api://moat-api/.default"))
    },
    RequestAttack(name: "on-behalf-of with an expired user token", status: 400, error: "invalid_grant", code: "token_expired") { harness in
        let token = try await userToken(harness)
        harness.clock.advance(by: 3600 + 120)
        return try await onBehalfOf(harness, assertion: token)
    },
    RequestAttack(name: "on-behalf-of with a forged user token", status: 400, error: "invalid_grant", code: "invalid_signature") { harness in
        var parts = try await userToken(harness).split(separator: ".").map(String.init)
        parts[2] = Base64URL.encode(Data(repeating: 1, count: 256))
        return try await onBehalfOf(harness, assertion: parts.joined(separator: "."))
    },
    RequestAttack(name: "on-behalf-of asking only for openid", status: 400, error: "invalid_scope", code: "missing_resource_scope") { harness in
        try await onBehalfOf(harness, assertion: try await userToken(harness), scope: "openid")
    },
    RequestAttack(name: "on-behalf-of from a public client", status: 400, error: "unauthorized_client", code: "public_client") { harness in
        await harness.post(harness.tokenPath, form: [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("requested_token_use", "on_behalf_of"),
            ("assertion", try await userToken(harness)), ("scope", "api://downstream/Files.Read"), ("client_id", TestDirectory.publicClientID),
        ])
    },

    // Authorization endpoint (RFC 9700 §2.1, §4.1; RFC 7636 §4).
    RequestAttack(name: "authorize for an unregistered client", status: 400, error: "page", code: "unknown_client") { harness in
        try await authorize(harness) { $0.setting("client_id", "00000000-0000-0000-0000-000000000001") }
    },
    RequestAttack(name: "authorize with a redirect_uri suffix", status: 400, error: "page", code: "redirect_uri_mismatch") { harness in
        try await authorize(harness) { parameters in
            parameters.setting("redirect_uri", (parameters.first { $0.0 == "redirect_uri" }?.1 ?? "") + "/../evil")
        }
    },
    RequestAttack(name: "authorize with response_type token", status: 303, error: "unsupported_response_type", code: "unsupported_response_type") { harness in
        try await authorize(harness) { $0.setting("response_type", "token") }
    },
    RequestAttack(name: "authorize without code_challenge", status: 303, error: "invalid_request", code: "pkce_required") { harness in
        try await authorize(harness) { $0.setting("code_challenge", nil).setting("code_challenge_method", nil) }
    },
    RequestAttack(name: "authorize with code_challenge_method plain", status: 303, error: "invalid_request", code: "pkce_method_not_s256") { harness in
        try await authorize(harness) { $0.setting("code_challenge_method", "plain") }
    },
    RequestAttack(name: "authorize with a non-base64url code_challenge", status: 303, error: "invalid_request", code: "malformed_code_challenge") { harness in
        try await authorize(harness) { $0.setting("code_challenge", String(repeating: "+", count: 43)) }
    },
    RequestAttack(name: "authorize for an unregistered resource scope", status: 303, error: "invalid_scope", code: "invalid_scope") { harness in
        try await authorize(harness) { $0.setting("scope", "openid api://not-registered/Chat") }
    },
    RequestAttack(name: "login form with a forged CSRF token", status: 403, error: "page", code: "csrf_token_mismatch") { harness in
        let form = try await harness.openLogin(harness.authorizeParameters(client: try app(harness, "moat-web"), pkce: PKCE()))
        return await harness.submitLogin(form, username: "alice", csrfToken: "forged")
    },
    RequestAttack(name: "login form for an unknown transaction", status: 400, error: "page", code: "login_transaction_unknown") { harness in
        var form = try await harness.openLogin(harness.authorizeParameters(client: try app(harness, "moat-web"), pkce: PKCE()))
        form.transactionID = "unknown"
        return await harness.submitLogin(form, username: "alice")
    },

    // Graph getMemberObjects.
    RequestAttack(name: "getMemberObjects without a token", status: 401, error: "InvalidAuthenticationToken", code: "InvalidAuthenticationToken") { harness in
        await graph(harness, token: nil)
    },
    RequestAttack(name: "getMemberObjects with a token for the api", status: 401, error: "InvalidAuthenticationToken", code: "InvalidAuthenticationToken") { harness in
        await graph(harness, token: try await appToken(harness, client: "moat-auditor", scope: "api://moat-api/.default"))
    },
    RequestAttack(name: "getMemberObjects with a user's token", status: 403, error: "Authorization_RequestDenied", code: "Authorization_RequestDenied") { harness in
        let tokens = try await harness.signInTokens(client: try app(harness, "moat-web"), user: "alice", scope: "openid https://graph.microsoft.com/User.Read")
        return await graph(harness, token: tokens["access_token"]?.stringValue)
    },
    RequestAttack(name: "getMemberObjects by an app without a directory role", status: 403, error: "Authorization_RequestDenied", code: "Authorization_RequestDenied") { harness in
        await graph(harness, token: try await appToken(harness, client: "moat-auditor", scope: "https://graph.microsoft.com/.default"))
    },
]

@Suite("Request attacks")
struct RequestAttackTests {
    @Test("table has at least 60 crafted requests")
    func tableSize() {
        #expect(requestAttacks.count >= 60)
    }

    @Test("crafted request is rejected with its code", arguments: requestAttacks)
    func craftedRequestIsRejected(_ attack: RequestAttack) async throws {
        let harness = try IdentityProviderHarness()

        let response = try await attack.send(harness)

        #expect(response.status == attack.status)
        #expect(Self.error(of: response) == attack.error)
        #expect(Self.code(of: response) == attack.code)
    }

    /// The OAuth `error`, the Graph error code, or `page` for an HTML error page.
    static func error(of response: HTTPResponse) -> String? {
        if response.headers["Location"] != nil { return response.locationQuery["error"] }
        if let json = try? response.jsonObject() {
            return json["error"]?.stringValue ?? json["error"]?.objectValue?["code"]?.stringValue
        }
        return response.text.contains("data-error-code") ? "page" : nil
    }

    static func code(of response: HTTPResponse) -> String? {
        if let graphCode = (try? response.jsonObject())?["error"]?.objectValue?["code"]?.stringValue { return graphCode }
        return response.suberror
    }
}
