import Foundation
import MoatAudit
import MoatCrypto
import MoatDevIdP
import MoatJOSE
import MoatJSON
import MoatLauncher
import MoatSQLite
import Testing

/// The api's bearer checks over real HTTP, and the audit record each request leaves.
@Suite("api authorization", .serialized)
struct APIAuthorizationTests {
    static func chat(_ agent: UserAgent, _ stack: MoatStack, authorization: String?, body: String = "{\"question\":\"annual leave\"}") async throws -> UserAgent.Reply {
        var headers = [("Content-Type", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        return try await agent.send("POST", stack.apiURL + "/v1/chat", headers: headers, body: Data(body.utf8))
    }

    /// A token signed with the IdP's real key, with claims chosen by the test.
    static func mint(_ test: TestStack, _ change: (inout JSONObject) -> Void) throws -> String {
        let signer = try SigningKeyStore.loadOrCreate(at: test.dataFolder.appendingPathComponent("idp-signing-key.pem"))
        let stack = test.stack
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [
            "aud": .string(stack.directory.app(named: "moat-api")!.clientID),
            "iss": .string(stack.issuer),
            "iat": .integer(now), "nbf": .integer(now), "exp": .integer(now + 600),
            "azp": .string(stack.directory.app(named: "moat-web")!.clientID),
            "oid": .string(stack.directory.user(signInName: "alice")!.objectID),
            "tid": .string(stack.directory.tenant.id),
            "scp": "Chat", "roles": ["Reader"], "ver": "2.0", "sub": "s",
        ]
        change(&claims)
        return try signer.sign(claims: claims)
    }

    @Test("bearer checks give 401 and 403 as problem details")
    func bearerChecks() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let stack = test.stack
        let agent = UserAgent()

        let noToken = try await Self.chat(agent, stack, authorization: nil)
        #expect(noToken.status == 401)
        #expect(noToken.headers["Content-Type"]?.hasPrefix("application/problem+json") == true)
        #expect(try noToken.json()["code"] as? String == "missing_token")
        #expect(noToken.headers["WWW-Authenticate"] == "Bearer")

        // RFC 6750 §3.1: another scheme carries no bearer credentials, so the challenge has no error.
        let basic = try await Self.chat(agent, stack, authorization: "Basic YWxpY2U6bW9hdC1kZW1v")
        #expect(basic.status == 401)
        #expect(basic.headers["WWW-Authenticate"] == "Bearer")
        let badBearer = try await Self.chat(agent, stack, authorization: "Bearer abc")
        #expect(badBearer.headers["WWW-Authenticate"] == "Bearer error=\"invalid_token\"")
        let malformedBearer = try await Self.chat(agent, stack, authorization: "Bearer abc def")
        #expect(malformedBearer.status == 400)
        #expect(try malformedBearer.json()["code"] as? String == "malformed_authorization")
        #expect(malformedBearer.headers["WWW-Authenticate"] == "Bearer error=\"invalid_request\"")

        let alice = try await agent.tokens(stack, user: "alice")
        let allowed = try await Self.chat(agent, stack, authorization: "Bearer \(alice.accessToken)")
        #expect(allowed.status == 200)

        let frank = try await agent.tokens(stack, user: "frank")
        let noRole = try await Self.chat(agent, stack, authorization: "Bearer \(frank.accessToken)")
        #expect(noRole.status == 403)
        #expect(try noRole.json()["code"] as? String == "missing_role")

        let otherAudience = try await agent.tokens(stack, user: "alice", scope: "openid profile")
        let wrongAudience = try await Self.chat(agent, stack, authorization: "Bearer \(otherAudience.accessToken)")
        #expect(wrongAudience.status == 401)
        #expect(try wrongAudience.json()["token_error"] as? String == "audience_mismatch")

        let idToken = try #require(alice.idToken)
        let idTokenReply = try await Self.chat(agent, stack, authorization: "Bearer \(idToken)")
        #expect(idTokenReply.status == 401)

        let expired = try Self.mint(test) { claims in
            let past = Int64(Date().timeIntervalSince1970) - 7200
            claims["iat"] = .integer(past)
            claims["nbf"] = .integer(past)
            claims["exp"] = .integer(past + 600)
        }
        let expiredReply = try await Self.chat(agent, stack, authorization: "Bearer \(expired)")
        #expect(expiredReply.status == 401)
        #expect(try expiredReply.json()["token_error"] as? String == "token_expired")

        let foreignClient = try Self.mint(test) { $0["azp"] = "00000000-0000-0000-0000-000000000001" }
        let foreignReply = try await Self.chat(agent, stack, authorization: "Bearer \(foreignClient)")
        #expect(foreignReply.status == 403)
        #expect(try foreignReply.json()["code"] as? String == "client_not_allowed")
    }

    @Test("malformed tokens and bodies get 4xx problem details")
    func malformedInput() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let stack = test.stack
        let agent = UserAgent()
        // A Bearer field without exactly one token is a malformed request (400, RFC 6750 §3.1);
        // a token that is there but invalid is 401.
        let malformed: [(header: String, status: Int)] = [
            ("Bearer", 400), ("Bearer ", 400), ("Bearer a b", 400), ("Basic abc", 401), ("Bearer abc", 401), ("Bearer a.b.c", 401),
            ("Bearer a.b", 401), ("Bearer ..", 401), ("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", 401),
            ("Bearer \(String(repeating: "A", count: 12000)).a.b", 401),
        ]
        for (header, status) in malformed {
            let reply = try await Self.chat(agent, stack, authorization: header)
            #expect(reply.status == status, "\(header.prefix(40)) gave \(reply.status)")
            #expect(reply.headers["Content-Type"]?.hasPrefix("application/problem+json") == true)
        }
        // Over the server's 16 KiB header limit the request head itself is refused. Sent
        // without a body: the server answers and closes before reading one, and an unread
        // body makes the kernel reset the connection under the client.
        let oversizedHeader = try await agent.send(
            "GET", stack.apiURL + "/v1/me", headers: [("Authorization", "Bearer \(String(repeating: "A", count: 20000)).a.b")]
        )
        #expect(oversizedHeader.status == 431)
        #expect(oversizedHeader.headers["Content-Type"]?.hasPrefix("application/problem+json") == true)

        let token = try await agent.tokens(stack, user: "alice").accessToken
        let bearer = "Bearer \(token)"
        let badBodies = ["", "{", "[]", "{\"question\":1}", "{\"question\":\"a\",\"question\":\"b\"}", "{\"question\":\"\"}", "{\"question\":\"a\",\"x\":1}"]
        for body in badBodies {
            let reply = try await Self.chat(agent, stack, authorization: bearer, body: body)
            #expect(reply.status == 400, "body \(body) gave \(reply.status)")
            #expect(try reply.json()["request_id"] as? String != nil)
        }

        for contentType in ["text/plain", "application/x-www-form-urlencoded", nil] as [String?] {
            var headers = [("Authorization", bearer)]
            if let contentType { headers.append(("Content-Type", contentType)) }
            let reply = try await agent.send("POST", stack.apiURL + "/v1/chat", headers: headers, body: Data("{\"question\":\"annual leave\"}".utf8))
            #expect(reply.status == 415, "Content-Type \(contentType ?? "none") gave \(reply.status)")
        }

        // The server answers 413 on the announced length and closes without reading the body.
        // A client still sending 2 MiB at that moment gets a reset instead of the answer, so
        // the body waits for `100 Continue`, as curl and browsers do for large uploads.
        let oversized = "{\"question\":\"\(String(repeating: "x", count: 2 << 20))\"}"
        let tooLarge = try await agent.send(
            "POST", stack.apiURL + "/v1/chat",
            headers: [("Authorization", bearer), ("Content-Type", "application/json"), ("Expect", "100-continue")],
            body: Data(oversized.utf8)
        )
        #expect(tooLarge.status == 413)

        let stillServing = try await Self.chat(agent, stack, authorization: bearer)
        #expect(stillServing.status == 200)
    }

    @Test("one audit record per api request and tampering is named")
    func auditRecordsAndTamper() async throws {
        // The prompt is stored as text so that the test can find and flip one of its bytes in the file.
        let test = try await TestStack.start { $0.audit.promptPolicy = "stored" }
        let stack = test.stack
        let agent = UserAgent()
        let token = try await agent.tokens(stack, user: "alice").accessToken
        _ = try await Self.chat(agent, stack, authorization: nil)
        _ = try await Self.chat(agent, stack, authorization: "Bearer \(token)", body: "{\"question\":\"How many days of annual leave?\"}")
        _ = try await Self.chat(agent, stack, authorization: "Bearer \(token)", body: "{")
        await test.stack.stop()
        defer { try? FileManager.default.removeItem(at: test.dataFolder) }

        // Record 1 is the start-up ingestion; then one record per api request.
        #expect(try AuditReader(path: test.auditDatabase).count() == 4)
        #expect(try AuditReader(path: test.auditDatabase).records(matching: AuditQuery(action: "chat"), limit: 10).count == 3)
        let ingestion = try AuditReader(path: test.auditDatabase).records(matching: AuditQuery(action: "ingest"), limit: 10)
        #expect(ingestion.count == 1)
        #expect(ingestion.first?.json?["documents"]?.arrayValue?.count == 12)
        let intact = try AuditVerifier.verify(path: test.auditDatabase)
        #expect(intact.isIntact)
        #expect(intact.recordCount == 4)

        // Move the write-ahead log into the main file, then change one byte of
        // the second record's stored text directly in the file.
        try SQLiteDatabase(path: test.auditDatabase).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: test.auditDatabase))
        let needle = Data("How many days of annual leave?".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes[range.lowerBound] = UInt8(ascii: "W")
        try bytes.write(to: URL(fileURLWithPath: test.auditDatabase))

        let tampered = try AuditVerifier.verify(path: test.auditDatabase)
        #expect(tampered.firstProblem?.sequence == 3)
        #expect(tampered.firstProblem?.kind == .contentChanged)
    }

    @Test("restricted documents reach only cleared named users")
    func restrictedDocumentsNeedClearance() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        let question = "{\"question\":\"What is Project Lantern?\"}"
        for (user, expectMemo) in [("alice", true), ("dave", true), ("erin", false), ("carol", false)] {
            let token = try await agent.tokens(test.stack, user: user).accessToken
            let reply = try await Self.chat(agent, test.stack, authorization: "Bearer \(token)", body: question)
            #expect(reply.status == 200)
            let paths = (try reply.json()["citations"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            #expect(paths.contains("board-memo.txt") == expectMemo, "\(user) got \(paths)")
        }
    }

    @Test("auditor application reads the audit log with its own token")
    func auditorAppReadsAudit() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let stack = test.stack
        let agent = UserAgent()
        let auditor = try #require(stack.directory.app(named: "moat-auditor"))
        let credentials = Data("\(auditor.clientID):\(auditor.clientSecret ?? "")".utf8).base64EncodedString()
        let tokenReply = try await agent.form(
            stack.issuer.replacingOccurrences(of: "/v2.0", with: "") + "/oauth2/v2.0/token",
            [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")],
            headers: [("Authorization", "Basic \(credentials)")]
        )
        #expect(tokenReply.status == 200)
        let token = try #require(try tokenReply.json()["access_token"] as? String)
        let audit = try await agent.send("GET", stack.apiURL + "/v1/audit?limit=5", headers: [("Authorization", "Bearer \(token)")])
        #expect(audit.status == 200)
        let chat = try await Self.chat(agent, stack, authorization: "Bearer \(token)")
        #expect(chat.status == 403)
        #expect(try chat.json()["code"] as? String == "user_required")

        let alice = try await agent.tokens(stack, user: "alice").accessToken
        let denied = try await agent.send("GET", stack.apiURL + "/v1/audit", headers: [("Authorization", "Bearer \(alice)")])
        #expect(denied.status == 403)
    }

    @Test("unreachable issuer keys give 503, not 401")
    func unreachableKeysGive503() async throws {
        let test = try await TestStack.start { configuration in
            configuration.api.issuer = "http://127.0.0.1:1/1921488a-9834-4920-864a-44dfc001e2df/v2.0"
            configuration.web.clientSecret = "moat-web-demo-secret"
        }
        defer { Task { await test.stop() } }
        let agent = UserAgent()
        // Any well-formed token will do: the api cannot fetch keys to check it.
        let token = try Self.mint(test) { _ in }
        let reply = try await Self.chat(agent, test.stack, authorization: "Bearer \(token)")
        #expect(reply.status == 503)
        #expect(try reply.json()["code"] as? String == "keys_unavailable")
        #expect(!reply.text.contains("127.0.0.1:1"), "the response must not reveal internal addresses")
        #expect(reply.headers["WWW-Authenticate"] == nil)
    }
}
