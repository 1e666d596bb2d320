import Foundation
import MoatLauncher
import Testing

/// Pattern 3 end to end over real HTTP: browser-like sign-in at web, a
/// question, and an answer whose citations respect the user's groups.
@Suite("chat flow", .serialized)
struct ChatFlowTests {
    /// Demo documents each demo group may read, by path; everyone-readable documents are in every set.
    static func readablePaths(_ stack: MoatStack, groups: Set<String>, user: String) throws -> Set<String> {
        guard let manifestURL = DemoResources.corpusManifest else { throw TestFailure("demo manifest missing") }
        let manifest = try ManifestLoader.load(contentsOf: manifestURL, directory: stack.directory)
        let groupIDs = Set(groups.compactMap { stack.directory.group(named: $0)?.objectID })
        let userID = stack.directory.user(signInName: user).map { "\(stack.directory.tenant.id):\($0.objectID)" }
        var readable = Set<String>()
        for path in manifest.entries.keys {
            let policy = try manifest.policy(forRelativePath: path)
            let list = policy.accessList
            if list.everyoneAuthenticated || !groupIDs.isDisjoint(with: list.groups) || (userID.map(list.users.contains) ?? false) {
                readable.insert(path)
            }
        }
        return readable
    }

    @Test("signed-in user gets an answer citing readable documents")
    func answerCitesReadableDocuments() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let csrf = try await agent.signInToWeb(test.stack, user: "alice")

        let reply = try await agent.ask(test.stack, "What is the on-call allowance for a primary week?", csrfToken: csrf)
        #expect(reply.status == 200, "chat returned \(reply.status): \(reply.text)")
        let body = try reply.json()
        let citations = body["citations"] as? [[String: Any]] ?? []
        #expect(!citations.isEmpty)
        #expect((body["answer"] as? String ?? "").contains("350"))
        let readable = try Self.readablePaths(test.stack, groups: ["engineering"], user: "alice")
        for citation in citations {
            let path = citation["path"] as? String ?? ""
            #expect(readable.contains(path), "alice was shown \(path)")
        }
        #expect(citations.contains { ($0["path"] as? String ?? "").hasPrefix("oncall") })
    }

    @Test("user of another group cites none of the engineering documents")
    func otherGroupCitesNothingOfEngineering() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let csrf = try await agent.signInToWeb(test.stack, user: "carol")
        let reply = try await agent.ask(test.stack, "What is the on-call allowance for a primary week?", csrfToken: csrf)
        #expect(reply.status == 200)
        let citations = try reply.json()["citations"] as? [[String: Any]] ?? []
        let readable = try Self.readablePaths(test.stack, groups: ["benefits"], user: "carol")
        #expect(!readable.contains("oncall-deployment.txt"))
        for citation in citations {
            let path = citation["path"] as? String ?? ""
            #expect(readable.contains(path), "carol was shown \(path)")
            #expect(path != "oncall-deployment.txt")
            #expect(path != "incident-response.md")
        }
    }

    @Test("chat without the CSRF token is rejected")
    func chatWithoutCSRFIsRejected() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        _ = try await agent.signInToWeb(test.stack, user: "alice")
        let missing = try await agent.send("POST", test.stack.webURL + "/api/chat", headers: [("Content-Type", "application/json")], body: Data("{\"question\":\"hi\"}".utf8))
        #expect(missing.status == 403)
        let wrong = try await agent.ask(test.stack, "hello", csrfToken: "not-the-token")
        #expect(wrong.status == 403)
    }

    @Test("sign-out ends the session and replaying the cookie fails")
    func signOutEndsSession() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let csrf = try await agent.signInToWeb(test.stack, user: "alice")
        let oldCookies = agent.cookies
        let signOut = try await agent.form(test.stack.webURL + "/auth/logout", [("csrf_token", csrf)], headers: [("Origin", test.stack.webURL)])
        #expect(signOut.status == 303)
        #expect(signOut.location?.contains("/oauth2/v2.0/logout") == true)

        let replay = UserAgent()
        let cookieHeader = oldCookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let reply = try await replay.send("POST", test.stack.webURL + "/api/chat", headers: [
            ("Cookie", cookieHeader), ("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", test.stack.webURL),
        ], body: Data("{\"question\":\"leave\"}".utf8))
        #expect(reply.status == 401)
    }

    @Test("callback with a foreign state is rejected")
    func callbackWithForeignStateIsRejected() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        _ = try await agent.send("GET", test.stack.webURL + "/auth/login")
        let reply = try await agent.send("GET", test.stack.webURL + "/auth/callback?code=abc&state=forged")
        #expect(reply.status == 400)
        #expect(agent.cookies["moat_session"] == nil)
    }

    @Test("logs carry request ids and no tokens, cookies or secrets")
    func logsCarryNoSecrets() async throws {
        let test = try await TestStack.start()
        let agent = UserAgent()
        let csrf = try await agent.signInToWeb(test.stack, user: "alice")
        let reply = try await agent.ask(test.stack, "How many days of annual leave?", csrfToken: csrf)
        #expect(reply.status == 200)
        await test.stop()

        let entries = test.logs.entries
        let requestLines = entries.filter { $0.message == "request completed" }
        #expect(requestLines.count >= 6)
        for entry in requestLines {
            #expect(entry.metadata["moat.request.id"]?.isEmpty == false)
        }
        let secrets = ["eyJ", "moat-demo", "moat-web-demo-secret", csrf] + agent.cookies.values.map { String($0.prefix(24)) }
        for entry in entries {
            let line = entry.message + " " + entry.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            for secret in secrets {
                #expect(!line.contains(secret), "log line leaks a secret: \(entry.message)")
            }
            #expect(!line.contains("code="), "log line carries a query string: \(entry.message)")
        }
    }
}
