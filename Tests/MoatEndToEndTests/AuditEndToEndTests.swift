import Foundation
import MoatAudit
import MoatCore
import MoatJSON
import MoatLauncher
import MoatSQLite
import Testing

/// The api's audit behaviour over real HTTP: fail closed, fail open, and the filtered audit read.
@Suite("api audit", .serialized)
struct AuditEndToEndTests {
    static func me(_ agent: UserAgent, _ stack: MoatStack, token: String) async throws -> UserAgent.Reply {
        try await agent.send("GET", stack.apiURL + "/v1/me", headers: [("Authorization", "Bearer \(token)")])
    }

    @Test("held write lock makes the api answer 503 and log the error")
    func lockedLogFailsClosed() async throws {
        let test = try await TestStack.start { $0.audit.lockTimeout = 0 }
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let token = try await agent.tokens(test.stack, user: "alice").accessToken
        let other = try SQLiteDatabase(path: test.auditDatabase)

        try other.execute("BEGIN IMMEDIATE")
        let blocked = try await AuditEndToEndTests.me(agent, test.stack, token: token)
        try other.execute("ROLLBACK")
        let resumed = try await AuditEndToEndTests.me(agent, test.stack, token: token)

        #expect(blocked.status == 503)
        #expect(try blocked.json()["code"] as? String == "audit_unavailable")
        #expect(test.logs.entries.contains { $0.message == "audit record not written; request failed closed" })
        #expect(resumed.status == 200)
    }

    @Test("full audit database makes the api answer 503")
    func fullLogFailsClosed() async throws {
        let test = try await TestStack.start { $0.audit.maxBytes = 160 * 1024 }
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let token = try await agent.tokens(test.stack, user: "alice").accessToken

        var statuses: [Int] = []
        for _ in 0..<600 {
            let reply = try await AuditEndToEndTests.me(agent, test.stack, token: token)
            statuses.append(reply.status)
            if reply.status != 200 { break }
        }

        #expect(statuses.last == 503)
        #expect(statuses.dropLast().allSatisfy { $0 == 200 })
        #expect(test.logs.entries.contains { $0.message == "audit batch not written" && ($0.metadata["moat.error"] ?? "").contains("full") })
        let served = statuses.filter { $0 == 200 }.count
        // Every served request has its record: the ones before the log filled up, plus none after.
        #expect(try AuditReader(path: test.auditDatabase).records(matching: AuditQuery(action: "me"), limit: 500).count == served)
    }

    @Test("fail-open serves the request, counts it and logs a critical warning")
    func failOpenServes() async throws {
        let test = try await TestStack.start {
            $0.audit.lockTimeout = 0
            $0.audit.failOpen = true
        }
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let token = try await agent.tokens(test.stack, user: "alice").accessToken
        let other = try SQLiteDatabase(path: test.auditDatabase)

        try other.execute("BEGIN IMMEDIATE")
        let served = try await AuditEndToEndTests.me(agent, test.stack, token: token)
        try other.execute("ROLLBACK")

        #expect(served.status == 200)
        let warning = test.logs.entries.first { $0.level == .critical }
        #expect(warning?.message == "audit record NOT written; request served because audit fail-open is on")
        #expect(warning?.metadata["moat.audit.dropped"] == "1")
        #expect(test.logs.entries.contains { $0.message.hasPrefix("audit fail-open is on") })
    }

    @Test("audit read filters by user, action and decision and pages with the filters")
    func auditReadFilters() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let stack = test.stack
        let alice = try await agent.tokens(stack, user: "alice").accessToken
        let frank = try await agent.tokens(stack, user: "frank").accessToken
        let erin = try await agent.tokens(stack, user: "erin").accessToken
        for token in [alice, alice, alice, frank] {
            _ = try await agent.send("POST", stack.apiURL + "/v1/chat", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: Data("{\"question\":\"annual leave\"}".utf8))
        }

        let page = try await agent.send("GET", stack.apiURL + "/v1/audit?user=alice&action=chat&decision=allow&limit=2", headers: [("Authorization", "Bearer \(erin)")])
        let body = try JSONValue.parse(page.body)
        let records = try #require(body["records"]?.arrayValue)
        let next = try #require(body["next"]?.stringValue)
        let rest = try await agent.send("GET", stack.apiURL + next, headers: [("Authorization", "Bearer \(erin)")])
        let denied = try await agent.send("GET", stack.apiURL + "/v1/audit?decision=deny&action=chat", headers: [("Authorization", "Bearer \(erin)")])
        let invalid = try await agent.send("GET", stack.apiURL + "/v1/audit?decision=maybe", headers: [("Authorization", "Bearer \(erin)")])
        let misspelt = try await agent.send("GET", stack.apiURL + "/v1/audit?usr=alice", headers: [("Authorization", "Bearer \(erin)")])
        let notAdmin = try await agent.send("GET", stack.apiURL + "/v1/audit", headers: [("Authorization", "Bearer \(alice)")])

        #expect(page.status == 200)
        #expect(misspelt.status == 400)
        #expect(misspelt.text.contains("usr"))
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["user_name"]?.stringValue == "alice@fabrikam.example" && $0["action"]?.stringValue == "chat" })
        #expect(next.contains("user=alice") && next.contains("decision=allow") && next.contains("before="))
        #expect(try JSONValue.parse(rest.body)["records"]?.arrayValue?.count == 1)
        #expect(try JSONValue.parse(denied.body)["records"]?.arrayValue?.first?["reason"]?.stringValue == "missing_role")
        #expect(invalid.status == 400)
        #expect(notAdmin.status == 403)
    }

    @Test("chat record has the access filter, documents and redacted texts")
    func chatRecordContents() async throws {
        let test = try await TestStack.start()
        let agent = UserAgent()
        let token = try await agent.tokens(test.stack, user: "alice").accessToken
        let email = "alice.martin@fabrikam.example"
        let question = "What is the on-call allowance? Send it to \(email)"
        let reply = try await agent.send(
            "POST", test.stack.apiURL + "/v1/chat",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: Data("{\"question\":\"\(question)\"}".utf8)
        )
        await test.stack.stop()
        defer { try? FileManager.default.removeItem(at: test.dataFolder) }

        let record = try #require(try AuditReader(path: test.auditDatabase).records(matching: AuditQuery(action: "chat"), limit: 1).first?.json)
        let alice = try #require(test.stack.directory.user(signInName: "alice"))

        #expect(reply.status == 200)
        #expect(record["prompt"]?["policy"]?.stringValue == "redacted")
        #expect(record["prompt"]?["bytes"]?.int64Value == Int64(question.utf8.count))
        // The redacted policy keeps the text the input guardrail produced: the e-mail address is gone.
        #expect(record["prompt"]?["text"]?.stringValue?.contains("[REDACTED:pii.email]") == true)
        #expect(record["verdicts"]?.arrayValue?.contains { $0["rule_id"]?.stringValue == "pii.email" } == true)
        #expect(record["answer"]?["policy"]?.stringValue == "redacted")
        #expect(record["access_filter"]?["user_id"]?.stringValue == "\(test.stack.directory.tenant.id):\(alice.objectID)")
        // alice holds Restricted.Reader, which clears restricted documents.
        #expect(record["access_filter"]?["clearance"]?.stringValue == "restricted")
        #expect(record["access_filter"]?["groups"]?.arrayValue?.isEmpty == false)
        #expect(record["documents"]?.arrayValue?.isEmpty == false)
        #expect(record["tokens"]?["prompt"] == .null)
        let file = try Data(contentsOf: URL(fileURLWithPath: test.auditDatabase)) + ((try? Data(contentsOf: URL(fileURLWithPath: test.auditDatabase + "-wal"))) ?? Data())
        #expect(file.range(of: Data(email.utf8)) == nil)
    }
}
