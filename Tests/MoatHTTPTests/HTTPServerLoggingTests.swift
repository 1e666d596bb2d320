import Foundation
import MoatCore
import Testing

@testable import MoatHTTP

@Suite("HTTPServer access log")
struct HTTPServerLoggingTests {
    private static func router() -> Router {
        var router = Router()
        router.post("/token") { _ in .json(["ok": true]) }
        return router
    }

    @Test("access line carries request fields")
    func accessLineFields() async throws {
        try await withServer(Self.router()) { server in
            _ = try await server.send("POST", "/token?code=abc", headers: [("X-Request-Id", "log-1")], body: Data("x=1".utf8))
            let line = try #require(await server.accessLine(requestID: "log-1"))
            #expect(line.level == .info)
            #expect(line.metadata["moat.http.method"] == "POST")
            #expect(line.metadata["moat.http.path"] == "/token")
            #expect(line.metadata["moat.http.status"] == "200")
            #expect(line.metadata["moat.http.bytes"] == #"{"ok":true}"#.utf8.count.description)
            #expect(line.metadata["moat.http.remote"] == "127.0.0.1")
            #expect(line.metadata["moat.http.duration_ms"].flatMap(Double.init) != nil)
        }
    }

    @Test("log never contains query, credentials or body")
    func secretsNotLogged() async throws {
        try await withServer(Self.router()) { server in
            _ = try await server.send(
                "POST", "/token?code=query-secret-1",
                headers: [
                    ("X-Request-Id", "log-2"),
                    ("Authorization", "Bearer header-secret-2"),
                    ("Cookie", "sid=cookie-secret-3"),
                ],
                body: Data("password=body-secret-4".utf8)
            )
            _ = try #require(await server.accessLine(requestID: "log-2"))
            let printed = server.logs.entries.map(LogfmtFormatter.format).joined(separator: "\n")
            for secret in ["query-secret-1", "header-secret-2", "cookie-secret-3", "body-secret-4"] {
                #expect(!printed.contains(secret), "log contains \(secret)")
            }
        }
    }

    @Test("every request-scoped line carries the request id")
    func requestIDOnEveryLine() async throws {
        var router = Router()
        router.get("/fail") { _ in throw CancellationError() }
        try await withServer(router) { server in
            _ = try await server.send("/fail", headers: [("X-Request-Id", "log-3")])
            _ = try #require(await server.accessLine(requestID: "log-3"))
            let requestLines = server.logs.entries.filter { !["server started", "server stopping", "server stopped"].contains($0.message) }
            #expect(requestLines.count == 2)
            for line in requestLines {
                #expect(line.metadata["moat.request.id"] == "log-3", "\(line.message) lacks the request id")
            }
        }
    }

    @Test("start is logged with host and port")
    func startLogged() async throws {
        try await withServer(Self.router()) { server in
            let started = try #require(server.logs.entries.first { $0.message == "server started" })
            #expect(started.metadata["moat.http.host"] == "127.0.0.1")
            #expect(started.metadata["moat.http.port"] == String(server.port))
        }
    }
}
