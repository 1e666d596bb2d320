import Foundation
import MoatCore
import MoatHTTP
import MoatJSON
import MoatLauncher
import Testing

/// A stand-in for an OpenAI-compatible chat-completions endpoint: records
/// each request body and answers with a fixed message citing source 1.
final class ChatCompletionsStandIn: HTTPResponder, @unchecked Sendable {
    // @unchecked: `bodies` is only touched inside `lock`.
    private let lock = NSLock()
    private var bodies: [Data] = []
    let reply: String

    init(reply: String) {
        self.reply = reply
    }

    var requests: [Data] { lock.withLock { bodies } }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard request.method == "POST", request.path == "/v1/chat/completions" else {
            return HTTPResponse(status: 404)
        }
        lock.withLock { bodies.append(request.body) }
        let body: JSONObject = [
            "id": "chatcmpl-test", "object": "chat.completion", "model": "stand-in",
            "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": .string(reply)]]],
            "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
        ]
        return .json(data: JSONValue.object(body).serialized())
    }
}

@Suite("language model answers", .serialized)
struct LanguageModelTests {
    @Test("model gets only passages within its clearance")
    func modelClearanceLimitsPrompt() async throws {
        let standIn = ChatCompletionsStandIn(reply: "The health plan is described in the sources [1].")
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), responder: standIn, logger: .disabled)
        try server.start()
        let test = try await TestStack.start { configuration in
            configuration.llm.endpoint = "http://127.0.0.1:\(server.port)/v1/chat/completions"
            configuration.llm.model = "stand-in"
            configuration.llm.clearance = "internal"
        }
        let agent = UserAgent()
        let carol = try await agent.tokens(test.stack, user: "carol").accessToken
        let reply = try await agent.send("POST", test.stack.apiURL + "/v1/chat", headers: [
            ("Authorization", "Bearer \(carol)"), ("Content-Type", "application/json"),
        ], body: Data("{\"question\":\"What does the health plan cover and what is the deductible?\"}".utf8))
        await test.stop()
        await server.stop()

        #expect(reply.status == 200)
        let body = try reply.json()
        #expect(body["model"] as? String == "stand-in")
        #expect(body["clearance"] as? String == "internal")
        #expect((body["answer"] as? String)?.contains("[1]") == true)
        let requests = standIn.requests
        #expect(requests.count == 1)
        let sent = String(decoding: requests.first ?? Data(), as: UTF8.self)
        // The health plan is confidential: carol may read it, but the model is cleared for internal only.
        #expect(!sent.contains("WellCare"))
        for citation in body["citations"] as? [[String: Any]] ?? [] {
            let classification = citation["classification"] as? String ?? ""
            #expect(["public", "internal"].contains(classification), "a \(classification) passage reached the model")
        }
    }

    @Test("model failure gives 502 and an audit record")
    func modelFailureIsReported() async throws {
        let test = try await TestStack.start { configuration in
            configuration.llm.endpoint = "http://127.0.0.1:1/v1/chat/completions"
        }
        let agent = UserAgent()
        let alice = try await agent.tokens(test.stack, user: "alice").accessToken
        let reply = try await agent.send("POST", test.stack.apiURL + "/v1/chat", headers: [
            ("Authorization", "Bearer \(alice)"), ("Content-Type", "application/json"),
        ], body: Data("{\"question\":\"annual leave\"}".utf8))
        await test.stack.stop()
        #expect(reply.status == 502)
        #expect(try reply.json()["code"] as? String == "answer_failed")
        // The start-up ingestion and the failed request.
        let records = try MoatAuditCount.count(test.auditDatabase)
        #expect(records == 2)
        try? FileManager.default.removeItem(at: test.dataFolder)
    }

    @Test("https deployment uses __Host- cookies with Secure")
    func httpsCookiesAreHostPrefixed() async throws {
        let test = try await TestStack.start { configuration in
            configuration.web.publicBaseURL = "https://chat.example.test"
        }
        let agent = UserAgent()
        let reply = try await agent.send("GET", test.stack.webListenURL + "/auth/login")
        await test.stop()
        #expect(reply.status == 303)
        let cookies = reply.headers.values(for: "Set-Cookie")
        let signIn = try #require(cookies.first { $0.hasPrefix("__Host-moat_signin=") })
        #expect(signIn.contains("Secure"))
        #expect(signIn.contains("HttpOnly"))
        #expect(signIn.contains("SameSite=Lax"))
        #expect(signIn.contains("Path=/"))
        #expect(!signIn.lowercased().contains("domain="))
    }
}

import MoatAudit

enum MoatAuditCount {
    static func count(_ path: String) throws -> Int {
        try AuditReader(path: path).count()
    }
}
