import Foundation
import MoatConfig
import MoatHTTP
import MoatJSON
import MoatLauncher
import Testing

/// Starts a pattern with App Service authentication as the front door, on fixed free
/// ports (the web registration's redirect URI must be known before start).
private func withAppServicePattern(
    _ pattern: Int, configure: (inout MoatConfiguration) -> Void = { _ in }, _ body: (AppServiceFrontEnd) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-appservice-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var configuration = MoatConfiguration()
    configuration.dataDirectory = folder.path
    configuration.web.frontDoor = "app-service"
    configuration.idp.port = try PortPicker.freePort()
    configuration.web.port = try PortPicker.freePort()
    configuration.api.port = 0
    configure(&configuration)
    let stack = try await PatternStack.start(configuration, pattern: pattern, logger: .disabled)
    var frontEnd = AppServiceFrontEnd(stack: stack)
    frontEnd.identityProviderSigningKey = try DataFolder(path: folder.path).signingKey
    do {
        try await body(frontEnd)
        await stack.stop()
    } catch {
        await stack.stop()
        throw error
    }
}

private func csrfToken(in html: String) -> String? {
    guard let range = html.range(of: "<meta name=\"csrf-token\" content=\"") else { return nil }
    let rest = html[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}

private func problemCode(_ response: HTTPClientResponse) -> String? {
    (try? JSONValue.parse(response.body))?["code"]?.stringValue
}

/// Why the forwarded token failed: the identity layer's or the JOSE layer's code.
private func tokenError(_ response: HTTPClientResponse) -> String? {
    (try? JSONValue.parse(response.body))?["token_error"]?.stringValue
}

private func problemMember(_ name: String, of response: HTTPClientResponse) -> String? {
    (try? JSONValue.parse(response.body))?[name]?.stringValue
}

private let question = Data(#"{"question":"What is the on-call allowance?"}"#.utf8)

@Suite("App Service front door", .serialized)
struct AppServiceFrontDoorTests {
    @Test("signed-in user reaches the chat")
    func validUserChats() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: tokens.accessToken))

            let home = try await frontEnd.send("GET", "/", headers: fields + [("Accept", "text/html")])
            #expect(home.status == 200)
            let csrf = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")

            let reply = try await frontEnd.send("POST", "/api/chat", headers: fields + [
                ("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", frontEnd.publicURL),
            ], body: question)
            #expect(reply.status == 200)
            // Pattern 1 passes alice's own token to the api, so her engineering rota is among the sources.
            #expect(String(decoding: reply.body, as: UTF8.self).contains("oncall-deployment.txt"))

            let me = try await frontEnd.send("GET", "/api/me", headers: fields)
            let roles = (try JSONValue.parse(me.body))["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(roles.contains("Reader"))
        }
    }

    @Test("client principal without a token is rejected")
    func forgedPrincipalRejected() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let forged = frontEnd.headers(for: tokens, objectID: try objectID(of: tokens.accessToken))
                .filter { !$0.0.hasPrefix("X-MS-TOKEN-") }
            for path in ["/", "/api/me"] {
                let response = try await frontEnd.send("GET", path, headers: forged)
                #expect(response.status == 401, "GET \(path)")
                #expect(problemCode(response) == "front_door_token_missing", "GET \(path)")
            }
        }
    }

    @Test("access token for another audience is rejected")
    func otherAudienceRejected() async throws {
        try await withAppServicePattern(1) { frontEnd in
            // What App Service forwards when sign-in requested only Microsoft Graph's scope.
            let graph = try await frontEnd.signIn("alice", scope: "openid profile https://graph.microsoft.com/User.Read")
            let response = try await frontEnd.send("GET", "/api/me", headers: frontEnd.headers(for: graph, objectID: try objectID(of: graph.accessToken)))
            #expect(response.status == 401)
            #expect(problemCode(response) == "front_door_token_invalid")
            #expect(tokenError(response) == "audience_mismatch")
        }
    }

    @Test("ID token in place of the access token is rejected")
    func idTokenAsAccessTokenRejected() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let idToken = try require(tokens.idToken, "the ID token")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: idToken))
                .map { $0.0 == "X-MS-TOKEN-AAD-ACCESS-TOKEN" ? ($0.0, idToken) : $0 }
            let response = try await frontEnd.send("GET", "/api/me", headers: fields)
            #expect(response.status == 401)
            // The ID token is issued to the web registration, so its audience is not the api's.
            #expect(tokenError(response) == "audience_mismatch")
        }
    }

    @Test("token from a tenant not allowed is rejected")
    func otherTenantRejected() async throws {
        try await withAppServicePattern(1, configure: { $0.api.allowedTenants = ["11111111-2222-4333-8444-555555555555"] }) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let response = try await frontEnd.send("GET", "/api/me", headers: frontEnd.headers(for: tokens, objectID: try objectID(of: tokens.accessToken)))
            #expect(response.status == 401)
            #expect(problemCode(response) == "front_door_token_invalid")
            #expect(tokenError(response) == "tenant_not_allowed")
        }
    }

    @Test("principal id naming another user is rejected")
    func mismatchedPrincipalRejected() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let alice = try await frontEnd.signIn("alice")
            let bob = try await frontEnd.signIn("bob")
            let bobID = try objectID(of: bob.accessToken)
            #expect(bobID != (try objectID(of: alice.accessToken)))

            let response = try await frontEnd.send("GET", "/api/me", headers: frontEnd.headers(for: alice, objectID: bobID))
            #expect(response.status == 401)
            #expect(problemCode(response) == "front_door_principal_mismatch")

            // alice's access token with bob's ID token: the two tokens name different users.
            var mixed = frontEnd.headers(for: alice, objectID: try objectID(of: alice.accessToken)).filter { $0.0 != "X-MS-TOKEN-AAD-ID-TOKEN" }
            mixed.append(("X-MS-TOKEN-AAD-ID-TOKEN", try require(bob.idToken, "bob's ID token")))
            let mixedResponse = try await frontEnd.send("GET", "/api/me", headers: mixed)
            #expect(mixedResponse.status == 401)
            #expect(problemCode(mixedResponse) == "front_door_principal_mismatch")
        }
    }

    @Test("chat without the CSRF token is forbidden")
    func chatNeedsCSRFToken() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: tokens.accessToken))
            let home = try await frontEnd.send("GET", "/", headers: fields + [("Accept", "text/html")])
            let csrf = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")
            let json = [("Content-Type", "application/json")]

            let missing = try await frontEnd.send("POST", "/api/chat", headers: fields + json, body: question)
            #expect(missing.status == 403)
            #expect(problemCode(missing) == "csrf_failed")

            let crossSite = try await frontEnd.send("POST", "/api/chat", headers: fields + json + [
                ("X-CSRF-Token", csrf), ("Origin", "https://attacker.example"),
            ], body: question)
            let crossSiteDetail = (try? JSONValue.parse(crossSite.body))?["detail"]?.stringValue ?? ""
            #expect(crossSite.status == 403)
            #expect(problemCode(crossSite) == "origin_mismatch")
            #expect(crossSiteDetail.contains("https://attacker.example"))
            #expect(crossSiteDetail.contains("web.public_base_url"))

            // The token belongs to one App Service session: another session of the same user does not accept it.
            let otherSession = AppServiceFrontEnd(issuer: frontEnd.issuer, publicURL: frontEnd.publicURL, webURL: frontEnd.webURL)
            let otherFields = otherSession.headers(for: tokens, objectID: try objectID(of: tokens.accessToken))
            let replayed = try await frontEnd.send("POST", "/api/chat", headers: otherFields + json + [("X-CSRF-Token", csrf)], body: question)
            #expect(replayed.status == 403)
        }
    }

    @Test("sign-out goes to App Service's logout")
    func signOutRedirects() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: tokens.accessToken))
            let home = try await frontEnd.send("GET", "/", headers: fields + [("Accept", "text/html")])
            let csrf = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")
            let response = try await frontEnd.send("POST", "/auth/logout", headers: fields + [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", frontEnd.publicURL),
            ], body: Data("csrf_token=\(csrf)".utf8))
            #expect(response.status == 303)
            #expect(response.headers["Location"] == "/.auth/logout")
        }
    }

    @Test("pattern 2 takes the user's api roles from the forwarded access token")
    func patternTwoUsesAPIToken() async throws {
        try await withAppServicePattern(2) { frontEnd in
            // The sign-in requests the api's Chat scope, so App Service forwards a token carrying the user's roles.
            let tokens = try await frontEnd.signIn("alice")
            let idToken = try require(tokens.idToken, "the ID token")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: idToken))
            let home = try await frontEnd.send("GET", "/", headers: fields + [("Accept", "text/html")])
            #expect(home.status == 200)
            let csrf = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")

            let reply = try await frontEnd.send("POST", "/api/chat", headers: fields + [
                ("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", frontEnd.publicURL),
            ], body: question)
            #expect(reply.status == 200)
            // The api retrieves with the web tier's app identity, which cannot read the engineering-only rota.
            #expect(!String(decoding: reply.body, as: UTF8.self).contains("oncall-deployment.txt"))

            let withoutAccessToken = try await frontEnd.send("GET", "/api/me", headers: fields.filter { $0.0 != "X-MS-TOKEN-AAD-ACCESS-TOKEN" })
            #expect(withoutAccessToken.status == 401)
            #expect(problemCode(withoutAccessToken) == "front_door_token_missing")

            // frank signs in but holds no role on the api: the api refuses him at its own hop.
            let frank = try await frontEnd.signIn("frank")
            let frankFields = frontEnd.headers(for: frank, objectID: try objectID(of: try require(frank.idToken, "frank's ID token")))
            let frankHome = try await frontEnd.send("GET", "/", headers: frankFields + [("Accept", "text/html")])
            let frankCSRF = try require(csrfToken(in: String(decoding: frankHome.body, as: UTF8.self)), "frank's CSRF token")
            let refused = try await frontEnd.send("POST", "/api/chat", headers: frankFields + [
                ("Content-Type", "application/json"), ("X-CSRF-Token", frankCSRF), ("Origin", frontEnd.publicURL),
            ], body: question)
            #expect(refused.status == 403)
            #expect(problemCode(refused) == "missing_role")
        }
    }
    @Test("expired tokens get the refresh hint until refreshed")
    func expiredTokensRefresh() async throws {
        try await withAppServicePattern(1) { frontEnd in
            try await frontEnd.signIn("alice")
            let objectID = try objectID(of: try require(frontEnd.storedTokens).accessToken)
            let home = try await frontEnd.send("GET", "/", headers: frontEnd.headers(for: try require(frontEnd.storedTokens), objectID: objectID))
            let csrf = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")
            let chatFields = [("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", frontEnd.publicURL)]

            try frontEnd.expireStoredTokens()
            let expiredTokens = try require(frontEnd.storedTokens)
            let expired = try await frontEnd.send("POST", "/api/chat", headers: frontEnd.headers(for: expiredTokens, objectID: objectID) + chatFields, body: question)
            let body = String(decoding: expired.body, as: UTF8.self)
            #expect(expired.status == 401)
            #expect(problemCode(expired) == "front_door_token_expired")
            #expect(problemMember("refresh_url", of: expired) == "/.auth/refresh")
            #expect(problemMember("login_url", of: expired) == "/.auth/login/aad?post_login_redirect_uri=/")
            #expect(problemMember("detail", of: expired)?.contains("/.auth/refresh") == true)
            // Nothing of the token reaches the client: no signature, no claim set.
            for segment in expiredTokens.accessToken.split(separator: ".") {
                #expect(!body.contains(segment))
            }
            let me = try await frontEnd.send("GET", "/api/me", headers: frontEnd.headers(for: expiredTokens, objectID: objectID))
            #expect(me.status == 401)
            #expect(problemCode(me) == "front_door_token_expired")
            // Loading the page sends the browser to App Service's sign-in, which renews the tokens.
            let reload = try await frontEnd.send("GET", "/", headers: frontEnd.headers(for: expiredTokens, objectID: objectID) + [("Accept", "text/html")])
            #expect(reload.status == 302)
            #expect(reload.headers["Location"] == "/.auth/login/aad?post_login_redirect_uri=/")

            #expect(try await frontEnd.refresh() == 200)
            let refreshed = try require(frontEnd.storedTokens)
            #expect(refreshed.accessToken != expiredTokens.accessToken)
            let retried = try await frontEnd.send("POST", "/api/chat", headers: frontEnd.headers(for: refreshed, objectID: objectID) + chatFields, body: question)
            #expect(retried.status == 200)
            #expect(String(decoding: retried.body, as: UTF8.self).contains("oncall-deployment.txt"))
        }
    }

    @Test("expired ID token alone gets the refresh hint")
    func expiredIDTokenRefresh() async throws {
        try await withAppServicePattern(2) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            try frontEnd.expireStoredTokens()
            // A valid access token beside an expired ID token: App Service's refresh renews both.
            var mixed = tokens
            mixed.idToken = try require(frontEnd.storedTokens).idToken
            let response = try await frontEnd.send("GET", "/api/me", headers: frontEnd.headers(for: mixed, objectID: try objectID(of: tokens.accessToken)))
            #expect(response.status == 401)
            #expect(problemCode(response) == "front_door_token_expired")
        }
    }

    @Test("refused refresh returns 401")
    func refusedRefresh() async throws {
        try await withAppServicePattern(1) { frontEnd in
            // Without offline_access the token store contains no refresh token.
            try await frontEnd.signIn("alice", scope: "openid profile \(AppServiceFrontEnd.apiChatScope)")
            #expect(frontEnd.storedTokens?.refreshToken == nil)
            #expect(try await frontEnd.refresh() == 401)

            // The dev identity provider rotates refresh tokens and rejects one used twice.
            let first = try await frontEnd.signIn("alice")
            #expect(try await frontEnd.refresh() == 200)
            frontEnd.tokenStore.withLock { $0 = first }
            #expect(try await frontEnd.refresh() == 401)
            #expect(frontEnd.storedTokens?.accessToken == first.accessToken)
        }
    }

    @Test("expired token with another fault keeps its code")
    func expiredTokenWithOtherFault() async throws {
        try await withAppServicePattern(1) { frontEnd in
            let graph = try await frontEnd.signIn("alice", scope: "openid profile offline_access https://graph.microsoft.com/User.Read")
            try frontEnd.expireStoredTokens()
            let otherAudience = try await frontEnd.send(
                "GET", "/api/me", headers: frontEnd.headers(for: try require(frontEnd.storedTokens), objectID: try objectID(of: graph.accessToken)))
            #expect(otherAudience.status == 401)
            #expect(problemCode(otherAudience) == "front_door_token_invalid")
            #expect(tokenError(otherAudience) == "audience_mismatch")

            let bob = try await frontEnd.signIn("bob")
            let alice = try await frontEnd.signIn("alice")
            try frontEnd.expireStoredTokens()
            let otherUser = try await frontEnd.send(
                "GET", "/api/me", headers: frontEnd.headers(for: try require(frontEnd.storedTokens), objectID: try objectID(of: bob.accessToken)))
            #expect(try objectID(of: alice.accessToken) != (try objectID(of: bob.accessToken)))
            #expect(otherUser.status == 401)
            #expect(problemCode(otherUser) == "front_door_principal_mismatch")
        }
    }

    @Test("expired token from a tenant not allowed keeps its code")
    func expiredTokenFromOtherTenant() async throws {
        try await withAppServicePattern(1, configure: { $0.api.allowedTenants = ["11111111-2222-4333-8444-555555555555"] }) { frontEnd in
            let tokens = try await frontEnd.signIn("alice")
            try frontEnd.expireStoredTokens()
            let response = try await frontEnd.send(
                "GET", "/api/me", headers: frontEnd.headers(for: try require(frontEnd.storedTokens), objectID: try objectID(of: tokens.accessToken)))
            #expect(response.status == 401)
            #expect(problemCode(response) == "front_door_token_invalid")
            #expect(tokenError(response) == "tenant_not_allowed")
        }
    }
}
