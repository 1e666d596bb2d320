import Foundation
import MoatConfig
import MoatCore
import MoatHTTP
import MoatLauncher
import MoatTestSupport
import Testing

/// Starts a pattern on free ports with its own data folder, runs `body`, and stops it.
private func withPattern(
    _ pattern: Int, configure: (inout MoatConfiguration) -> Void = { _ in }, _ body: (PatternStack) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-pattern-\(UUID().uuidString)")
    var configuration = MoatConfiguration()
    configuration.dataDirectory = folder.path
    configuration.idp.port = 0
    configuration.api.port = 0
    configuration.web.port = 0
    configuration.gateway.port = 0
    configure(&configuration)
    let stack = try await retrying(while: { ($0 as? HTTPServerError)?.code == .addressInUse }) {
        try await PatternStack.start(configuration, pattern: pattern, logger: .disabled)
    }
    defer { try? FileManager.default.removeItem(at: folder) }
    do {
        try await body(stack)
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

private func ask(_ browser: Browser, _ stack: PatternStack, _ question: String) async throws -> HTTPClientResponse {
    let home = try await browser.get(stack.gatewayURL + "/")
    let token = try require(csrfToken(in: String(decoding: home.body, as: UTF8.self)), "the chat page's CSRF token")
    return try await browser.send("POST", stack.gatewayURL + "/api/chat", headers: [
        ("Content-Type", "application/json"), ("X-CSRF-Token", token), ("Origin", stack.gatewayURL),
    ], body: Data(#"{"question":"\#(question)"}"#.utf8))
}

@Suite("Patterns", .serialized)
struct PatternTests {
    @Test("pattern 1 answers from the user's documents")
    func patternOneUsesUserAccess() async throws {
        try await withPattern(1) { stack in
            let browser = Browser()
            _ = try await browser.signIn(gatewayURL: stack.gatewayURL, target: "/", user: "alice")
            let reply = try await ask(browser, stack, "What is the on-call allowance?")
            #expect(reply.status == 200)
            // alice is in engineering, so the engineering rota with the weekly amount is among her documents.
            #expect(String(decoding: reply.body, as: UTF8.self).contains("oncall-deployment.txt"))
        }
    }

    @Test("pattern 2 answers with the web tier's identity")
    func patternTwoUsesAppIdentity() async throws {
        try await withPattern(2) { stack in
            let browser = Browser()
            _ = try await browser.signIn(gatewayURL: stack.gatewayURL, target: "/", user: "alice")
            let reply = try await ask(browser, stack, "What is the on-call allowance?")
            #expect(reply.status == 200)
            // Without per-user rules the engineering-only rota is not readable.
            #expect(!String(decoding: reply.body, as: UTF8.self).contains("oncall-deployment.txt"))
        }
    }

    @Test("a user without a chat role gets 403 in every gateway pattern", arguments: [1, 2])
    func userWithoutRoleIsRefused(pattern: Int) async throws {
        try await withPattern(pattern) { stack in
            let browser = Browser()
            // frank signs in but holds no app role on the api.
            _ = try await browser.signIn(gatewayURL: stack.gatewayURL, target: "/", user: "frank")
            let reply = try await ask(browser, stack, "What are the core office hours?")
            #expect(reply.status == 403)
            #expect(String(decoding: reply.body, as: UTF8.self).contains("missing_role"))
        }
    }

    @Test("pattern 2 api takes configured client apps", arguments: [true, false])
    func patternTwoAcceptsConfiguredApps(configured: Bool) async throws {
        let auditorClientID = "3080bac2-6138-4947-912b-a2e963f98948"
        try await withPattern(2, configure: { if configured { $0.api.allowedClientApps = [auditorClientID] } }) { stack in
            var tokenSettings = MoatConfiguration()
            tokenSettings.idp.port = try require(URL(string: try require(stack.idpURL))?.port)
            let token = try await TokenCommand.run(.app(name: "moat-auditor"), configuration: tokenSettings).accessToken
            let response = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: try require(stack.apiURL) + "/v1/audit?limit=1")),
                headers: HTTPHeaders([("Authorization", "Bearer \(token)")])
            ))
            // The web tier's app is always accepted; other apps only when configured.
            #expect(response.status == (configured ? 200 : 403))
        }
    }

    @Test("web tier rejects requests that bypass the gateway", arguments: [1, 2])
    func webTierNeedsAssertion(pattern: Int) async throws {
        try await withPattern(pattern) { stack in
            let direct = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: stack.webURL + "/api/me")),
                headers: HTTPHeaders([("X-MS-CLIENT-PRINCIPAL-NAME", "alice@fabrikam.example"), ("X-Moat-Gateway-Assertion", "forged")])
            ))
            #expect(direct.status == 401)
        }
    }

    @Test("api app route needs a user context")
    func appRouteNeedsUserContext() async throws {
        try await withPattern(2) { stack in
            let apiURL = try require(stack.apiURL)
            let response = try await HTTPClient().send(HTTPClientRequest(
                method: "POST", url: try require(URL(string: apiURL + "/v1/app/chat")),
                headers: HTTPHeaders([("Content-Type", "application/json")]), body: Data(#"{"question":"x"}"#.utf8)
            ))
            #expect(response.status == 401)
        }
    }
}
