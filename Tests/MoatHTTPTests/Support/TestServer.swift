import Foundation
import MoatCore
import Testing

@testable import MoatHTTP

/// A server on 127.0.0.1 with an ephemeral port, its captured log and a client.
struct TestServer {
    let server: HTTPServer
    let logs: InMemoryLogHandler
    let client = HTTPClient()

    var port: Int { server.port }

    func url(_ target: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(target)")!
    }

    func send(
        _ method: String = "GET",
        _ target: String,
        headers: [(String, String)] = [],
        body: Data? = nil,
        timeout: TimeInterval = 5
    ) async throws -> HTTPClientResponse {
        try await client.send(HTTPClientRequest(method: method, url: url(target), headers: HTTPHeaders(headers), body: body, timeout: timeout))
    }

    func send(_ target: String, headers: [(String, String)] = []) async throws -> HTTPClientResponse {
        try await send("GET", target, headers: headers)
    }

    /// Waits up to two seconds for a log entry matching `predicate`.
    ///
    /// The access line is written when libmicrohttpd reports completion,
    /// which can come just after the client has the response.
    func logEntry(where predicate: (LogEntry) -> Bool) async -> LogEntry? {
        for _ in 0..<200 {
            if let entry = logs.entries.first(where: predicate) {
                return entry
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func accessLine(requestID: String) async -> LogEntry? {
        await logEntry { $0.message == "request completed" && $0.metadata["moat.request.id"] == requestID }
    }
}

/// Starts a server with `router`, runs `body`, then stops the server.
func withServer<Result>(
    _ router: Router,
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(shutdownGracePeriod: 1),
    _ body: (TestServer) async throws -> Result
) async throws -> Result {
    let logs = InMemoryLogHandler()
    let logger = Logger(label: "moat.http.test", level: .trace, handler: logs)
    let server = HTTPServer(configuration: configuration, responder: router, logger: logger)
    return try await withStarted(server) { _ in try await body(TestServer(server: server, logs: logs)) }
}

/// Starts `server`, runs `body` with its port, then stops the server, also when `body` throws.
func withStarted<Result>(_ server: HTTPServer, _ body: (Int) async throws -> Result) async throws -> Result {
    try server.start()
    do {
        let result = try await body(server.port)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// A one-shot latch that tasks can wait on.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters {
            waiter.resume()
        }
        waiters = []
    }
}

extension HTTPClientResponse {
    /// Decodes the body as a JSON object.
    func jsonObject() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}
