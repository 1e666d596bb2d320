import Foundation
import MoatAudit
import MoatConfig
import MoatHTTP
import MoatLauncher
import MoatTestSupport
import Testing

extension UserAgent {
    /// Signs in at the gateway the way a browser does: gateway → IdP login page → gateway callback.
    /// Returns the chat page's CSRF token, served by the web tier behind the gateway.
    func signInAtGateway(_ gatewayURL: String, user: String) async throws -> String {
        func absolute(_ location: String) -> String {
            location.hasPrefix("/") ? gatewayURL + location : location
        }
        let start = try await send("GET", gatewayURL + "/", headers: [("Accept", "text/html")])
        guard [302, 303].contains(start.status), let login = start.location else {
            throw TestFailure("gateway / returned \(start.status), expected a redirect to sign-in")
        }
        let toProvider = try await send("GET", absolute(login), headers: [("Accept", "text/html")])
        guard [302, 303].contains(toProvider.status), let authorize = toProvider.location else {
            throw TestFailure("\(login) returned \(toProvider.status), expected a redirect to the identity provider")
        }
        let page = try await send("GET", authorize)
        guard let transaction = hiddenField("transaction", in: page.text), let csrf = hiddenField("csrf_token", in: page.text) else {
            throw TestFailure("the identity provider's login page returned \(page.status) without its form")
        }
        let submitted = try await form(
            String(authorize.prefix { $0 != "?" }),
            [("transaction", transaction), ("csrf_token", csrf), ("username", user), ("password", "moat-demo")]
        )
        guard let callback = submitted.location else {
            throw TestFailure("the login form returned \(submitted.status) without a redirect")
        }
        let landed = try await send("GET", absolute(callback), headers: [("Accept", "text/html")])
        guard [302, 303].contains(landed.status) else {
            throw TestFailure("the gateway callback returned \(landed.status): \(landed.text)")
        }
        let home = try await send("GET", gatewayURL + "/", headers: [("Accept", "text/html")])
        guard let token = metaContent("csrf-token", in: home.text) else {
            throw TestFailure("the chat page behind the gateway returned \(home.status) without a CSRF token")
        }
        return token
    }
}

/// Streamed answers behind `moat gateway`: pattern 1 returns the in-process
/// api's stream, pattern 2 relays `/v1/app/chat`, called with the web tier's app token.
@Suite("streamed chat behind the gateway", .serialized)
struct PatternStreamingChatTests {
    struct Fixture {
        let stack: PatternStack
        let model: StreamingMisbehavingModel
        let server: HTTPServer
        let folder: URL

        func stop() async {
            await stack.stop()
            await server.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func start(pattern: Int, model: StreamingMisbehavingModel) async throws -> Fixture {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), streamingResponder: model, logger: .disabled)
        try server.start()
        let corpus = try StreamingChatTests.writeCorpus()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-pattern-stream-\(UUID().uuidString)")
        var configuration = MoatConfiguration()
        configuration.dataDirectory = folder.path
        configuration.idp.port = 0
        configuration.api.port = 0
        configuration.web.port = 0
        configuration.gateway.port = 0
        configuration.corpus.path = corpus.folder
        configuration.corpus.manifest = corpus.manifest
        configuration.llm.endpoint = "http://127.0.0.1:\(server.port)/v1/chat/completions"
        configuration.llm.model = "misbehaving"
        do {
            let stack = try await PatternStack.start(configuration, pattern: pattern, logger: .disabled)
            return Fixture(stack: stack, model: model, server: server, folder: folder)
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test("gateway pattern streams deltas before the model ends", arguments: [1, 2])
    func patternStreamsIncrementally(pattern: Int) async throws {
        let fixture = try await Self.start(pattern: pattern, model: StreamingMisbehavingModel(pauseAfter: 12))
        let gatewayURL = fixture.stack.gatewayURL
        let agent = UserAgent()
        let csrf = try await agent.signInAtGateway(gatewayURL, user: "alice")
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["question": "Where do visitors park?"]), as: UTF8.self)
        let cookie = agent.cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        let socket = try BlockingSocket(port: URL(string: gatewayURL)?.port ?? 0, timeoutSeconds: 20)
        try socket.send(
            "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\nX-CSRF-Token: \(csrf)\r\nOrigin: \(gatewayURL)\r\n"
                + "Content-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        // The model holds back the rest of its reply until resumed, so a delta now passed the web tier and the gateway mid-answer.
        let early = try await onThread { try socket.read(until: "event: delta") }
        fixture.model.resume()
        let rest = try await onThread { try socket.readToEnd() }
        // The record is written when the stream ends, which the socket may see first.
        let audit = try AuditReader(path: fixture.folder.appendingPathComponent("audit.sqlite").path)
        var records: [StoredAuditRecord] = []
        for _ in 0..<50 where records.isEmpty {
            records = try audit.records(matching: AuditQuery(action: pattern == 1 ? "chat" : "chat.app"), limit: 10)
            if records.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        let webClientID = fixture.stack.directory.app(named: "moat-web")?.clientID
        await fixture.stop()

        #expect(early.hasPrefix("HTTP/1.1 200"))
        #expect(early.lowercased().contains("content-type: text/event-stream"))
        let events = try StreamingChatTests.events(try StreamingChatTests.split(Array(early.utf8) + rest).body)
        #expect(StreamingChatTests.streamedText(events) == StreamingMisbehavingModel.reply(system: "", user: "Where do visitors park?"))
        #expect(events.last?.name == "done")

        #expect(records.count == 1)
        let record = try #require(records.first?.json)
        if pattern == 2 {
            // The web tier called with its own app token and named alice only in the signed user context.
            #expect(record["client_app_id"]?.stringValue == webClientID)
            #expect(record["reason"]?.stringValue == "on_behalf_of_user")
            // The same user name as in pattern 1, so that a search by user finds both.
            #expect(record["user_name"]?.stringValue == "alice@fabrikam.example")
        } else {
            #expect(record["reason"]?.stringValue == "ok")
        }
    }

    @Test("denied user is named in the audit record", arguments: [1, 2])
    func deniedUserIsNamed(pattern: Int) async throws {
        let fixture = try await Self.start(pattern: pattern, model: StreamingMisbehavingModel(pauseAfter: 0))
        let gatewayURL = fixture.stack.gatewayURL
        let agent = UserAgent()
        // frank signs in but has no app role on the api.
        let csrf = try await agent.signInAtGateway(gatewayURL, user: "frank")
        let reply = try await agent.send(
            "POST", gatewayURL + "/api/chat",
            headers: [("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", gatewayURL)],
            body: Data(#"{"question":"Where do visitors park?"}"#.utf8)
        )
        let audit = try AuditReader(path: fixture.folder.appendingPathComponent("audit.sqlite").path)
        let records = try audit.records(matching: AuditQuery(action: pattern == 1 ? "chat" : "chat.app"), limit: 10)
        await fixture.stop()

        #expect(reply.status == 403)
        #expect(records.count == 1)
        let record = try #require(records.first?.json)
        #expect(record["reason"]?.stringValue == "missing_role")
        // A search by user finds denied requests as well as allowed ones, in both patterns.
        #expect(record["user_name"]?.stringValue == "frank@fabrikam.example")
    }
}
