import Foundation
import MoatCore
import Testing

@testable import MoatHTTP

@Suite("HTTPServer responses")
struct HTTPServerResponseTests {
    private struct Failure: Error {}

    private static func router() -> Router {
        var router = Router()
        router.get("/ok") { _ in .text("ok") }
        router.get("/problem") { _ in
            throw ProblemDetails.forbidden(code: "document_denied", "no access to this document")
        }
        router.get("/crash") { _ in
            throw Failure()
        }
        router.get("/split") { _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("X-Test", "a\r\nSet-Cookie: evil=1")]), body: Data("x".utf8))
        }
        router.get("/own-cache") { _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("Cache-Control", "max-age=60")]))
        }
        router.get("/id") { request in .text(request.requestID) }
        router.get("/nan") { _ in .json(["value": Double.nan]) }
        return router
    }

    @Test("client request id is echoed")
    func requestIDEchoed() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/id", headers: [("X-Request-Id", "abc.DEF_123-x")])
            #expect(response.headers["X-Request-Id"] == "abc.DEF_123-x")
            #expect(response.text == "abc.DEF_123-x")
        }
    }

    @Test("malformed request id is replaced", arguments: ["bad id", String(repeating: "a", count: 65), "x;y", ""])
    func badRequestIDReplaced(offered: String) async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/id", headers: [("X-Request-Id", offered)])
            let id = try #require(response.headers["X-Request-Id"])
            #expect(id != offered)
            #expect(id.count == 32)
            #expect(response.text == id)
        }
    }

    @Test("every response carries default security headers")
    func defaultHeaders() async throws {
        try await withServer(Self.router()) { server in
            for target in ["/ok", "/nowhere", "/problem"] {
                let response = try await server.send(target)
                #expect(response.headers["X-Content-Type-Options"] == "nosniff")
                #expect(response.headers["Cache-Control"] == "no-store")
                #expect(response.headers["Referrer-Policy"] == "no-referrer")
                #expect(response.headers["X-Request-Id"] != nil)
            }
        }
    }

    @Test("handler-set header is not overridden by defaults")
    func handlerHeaderWins() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/own-cache")
            #expect(response.headers.values(for: "Cache-Control") == ["max-age=60"])
        }
    }

    @Test("thrown ProblemDetails becomes its response")
    func thrownProblem() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/problem", headers: [("X-Request-Id", "req-1")])
            #expect(response.status == 403)
            let json = try response.jsonObject()
            #expect(json["code"] as? String == "document_denied")
            #expect(json["detail"] as? String == "no access to this document")
            #expect(json["request_id"] as? String == "req-1")
        }
    }

    @Test("other thrown error becomes 500 without its message and is logged")
    func thrownOtherError() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/crash", headers: [("X-Request-Id", "req-crash")])
            #expect(response.status == 500)
            #expect(try response.jsonObject()["code"] as? String == "internal_error")
            #expect(!response.text.contains("Failure"))
            let logged = await server.logEntry { $0.message == "request handler failed" }
            #expect(logged?.level == .error)
            #expect(logged?.metadata["moat.request.id"] == "req-crash")
            #expect(logged?.metadata["moat.error"]?.contains("Failure") == true)
        }
    }

    @Test("JSON encoding failure becomes 500 with the request id")
    func jsonEncodingFailure() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/nan", headers: [("X-Request-Id", "req-nan")])
            #expect(response.status == 500)
            #expect(try response.jsonObject()["request_id"] as? String == "req-nan")
            let logged = await server.logEntry { $0.message == "request handler failed" }
            #expect(logged?.metadata["moat.request.id"] == "req-nan")
        }
    }

    @Test("invalid response header becomes 500, never a split response")
    func invalidResponseHeader() async throws {
        try await withServer(Self.router()) { server in
            let raw = try await RawHTTP.exchange(port: server.port, "GET /split HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 500)
            #expect(!raw.contains("evil=1"))
            let logged = await server.logEntry { $0.message == "response header invalid" }
            #expect(logged?.level == .error)
        }
    }

    @Test("slow handler does not block a concurrent request")
    func concurrentHandlers() async throws {
        let gate = Gate()
        var router = Router()
        router.get("/wait") { _ in
            await gate.wait()
            return .text("released")
        }
        router.get("/release") { _ in
            await gate.open()
            return .text("done")
        }
        // One network thread: the waiting handler must not occupy it.
        let configuration = HTTPServerConfiguration(threadCount: 1, shutdownGracePeriod: 1)
        try await withServer(router, configuration: configuration) { server in
            async let waiting = server.send("/wait")
            try await Task.sleep(for: .milliseconds(50))
            let releasing = try await server.send("/release")
            #expect(releasing.text == "done")
            #expect(try await waiting.text == "released")
        }
    }
}
