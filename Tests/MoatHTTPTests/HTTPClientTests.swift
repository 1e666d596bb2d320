import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

@Suite("HTTPClient")
struct HTTPClientTests {
    private static func router() -> Router {
        var router = Router()
        router.get("/slow") { _ in
            try await Task.sleep(for: .seconds(30))
            return .text("late")
        }
        router.get("/big") { _ in .text(String(repeating: "x", count: 2048)) }
        router.post("/echo") { request in
            var response = HTTPResponse(status: 200, body: request.body)
            response.headers.add("X-Echo-Method", request.method)
            response.headers.add("X-Echo-Header", request.headers["X-Custom"] ?? "")
            return response
        }
        return router
    }

    // A short grace period: the slow handler keeps running after the client gives up.
    private static let configuration = HTTPServerConfiguration(shutdownGracePeriod: 0.1)

    @Test("request body, method and headers are sent")
    func roundTrip() async throws {
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            let response = try await server.send("POST", "/echo", headers: [("X-Custom", "v1")], body: Data(repeating: 0x62, count: 4096))
            #expect(response.status == 200)
            #expect(response.body == Data(repeating: 0x62, count: 4096))
            #expect(response.headers["X-Echo-Method"] == "POST")
            #expect(response.headers["X-Echo-Header"] == "v1")
        }
    }

    @Test("slow response times out")
    func timeout() async throws {
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            // The handler answers after 30 s, so a timed_out error (not a 200) proves the 0.3 s limit applied.
            let error = await #expect(throws: HTTPClientError.self) {
                try await server.send("GET", "/slow", timeout: 0.3)
            }
            #expect(error?.code == .timedOut)
        }
    }

    @Test("response over the size limit is rejected")
    func responseTooLarge() async throws {
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            let request = HTTPClientRequest(url: server.url("/big"), maxResponseBytes: 1024)
            let error = await #expect(throws: HTTPClientError.self) { try await server.client.send(request) }
            #expect(error?.code == .responseTooLarge)
        }
    }

    @Test("response at the size limit is accepted")
    func responseAtLimit() async throws {
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            let response = try await server.client.send(HTTPClientRequest(url: server.url("/big"), maxResponseBytes: 2048))
            #expect(response.body.count == 2048)
        }
    }

    @Test("non-HTTP scheme is rejected", arguments: ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/"])
    func invalidScheme(url: String) async throws {
        let request = HTTPClientRequest(url: try #require(URL(string: url)))
        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .invalidURL)
    }

    @Test("header with CRLF is rejected before sending")
    func headerInjection() async throws {
        let request = HTTPClientRequest(url: try #require(URL(string: "http://127.0.0.1:9/")), headers: HTTPHeaders([("X-A", "1\r\nX-B: 2")]))
        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .invalidRequest)
    }

    @Test("refused connection is reported")
    func connectionRefused() async throws {
        // A port that is bound but not listening refuses connections, and no
        // server started by a test running in parallel can take it meanwhile.
        let (reserved, port) = try openLoopbackSocket(backlog: nil)
        defer { close(reserved) }
        let request = HTTPClientRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/")))
        let error = await #expect(throws: HTTPClientError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .connectionFailed)
        // libcurl's generic text for the code names no port; its own message does.
        #expect(error?.reason.contains("port \(port)") == true)
    }

    @Test("cancelled task stops the transfer")
    func cancellation() async throws {
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            let task = Task { try await server.send("GET", "/slow", timeout: 5) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let result = await task.result
            let error = #expect(throws: HTTPClientError.self) { try result.get() }
            #expect(error?.code == .cancelled)
        }
    }

    @Test("debug log omits the query")
    func logOmitsQuery() async throws {
        let logs = InMemoryLogHandler()
        let client = HTTPClient(logger: Logger(label: "test", level: .debug, handler: logs))
        try await withServer(Self.router(), configuration: Self.configuration) { server in
            _ = try await client.send(HTTPClientRequest(method: "POST", url: server.url("/echo?code=secret-code")))
        }
        let entry = try #require(logs.entries.first)
        #expect(entry.message == "outbound request completed")
        #expect(!LogfmtFormatter.format(entry).contains("secret-code"))
    }
}
