import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

/// Replies on the loop with the method and path, and off the loop with "blocking".
private struct EchoLoopResponder: HTTPLoopResponder {
    var decide: @Sendable (HTTPRequest) -> HTTPLoopDecision = { request in
        .respond(.text("loop \(request.method) \(request.path)"))
    }

    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        decide(request)
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        body.discard()
        return .text("blocking \(request.method) \(request.path)")
    }
}

/// A loop server whose log is kept for the test to read.
private struct LoggedLoopServer {
    let port: Int
    let logs: InMemoryLogHandler

    var handOverReasons: [String] {
        logs.entries.filter { $0.message == "connection handed to libmicrohttpd" }.compactMap { $0.metadata["moat.reason"] }
    }
}

private func withLoggedLoopServer<Value>(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(1)),
    responder: EchoLoopResponder = EchoLoopResponder(),
    _ body: (LoggedLoopServer) async throws -> Value
) async throws -> Value {
    let logs = InMemoryLogHandler()
    let server = HTTPServer(configuration: configuration, streamingResponder: responder, logger: Logger(label: "moat.http.test", level: .debug, handler: logs))
    return try await withStarted(server) { port in try await body(LoggedLoopServer(port: port, logs: logs)) }
}

/// Reads `count` responses off `socket`, each with a body of `Content-Length`
/// bytes, except for the indices in `heads`, the replies to HEAD requests.
private func readResponses(_ socket: BlockingSocket, count: Int, heads: Set<Int> = []) throws -> [(head: String, body: String)] {
    var responses: [(String, String)] = []
    for index in 0..<count {
        let head = try socket.read(until: "\r\n\r\n")
        guard !heads.contains(index) else {
            responses.append((head, ""))
            continue
        }
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        responses.append((head, String(decoding: try socket.read(count: length), as: UTF8.self)))
    }
    return responses
}

@Suite("Event-loop connections")
struct LoopServerTests {
    @Test("pipelined requests answered in order")
    func pipelinedRequests() async throws {
        try await withLoggedLoopServer { server in
            let socket = try BlockingSocket(port: server.port)
            let responses = try await onThread {
                try socket.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\nHEAD /third HTTP/1.1\r\nHost: t\r\n\r\n")
                return try readResponses(socket, count: 3, heads: [2]).map { "\($0.head.prefix(12))|\($0.body)" }
            }
            #expect(responses == ["HTTP/1.1 200|loop GET /first", "HTTP/1.1 200|loop GET /second", "HTTP/1.1 200|"])
            #expect(server.handOverReasons.isEmpty)
        }
    }

    @Test("head arriving in pieces served")
    func headInPieces() async throws {
        try await withLoggedLoopServer { server in
            let socket = try BlockingSocket(port: server.port)
            let response = try await onThread {
                for piece in ["GET /sl", "ow HTTP/1.1\r\nHo", "st: t\r\n", "\r\n"] {
                    try socket.send(piece)
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return try readResponses(socket, count: 1)[0]
            }
            #expect(response.body == "loop GET /slow")
            #expect(server.handOverReasons.isEmpty)
        }
    }

    @Test("response framing for HEAD and 204")
    func responseFraming() async throws {
        let responder = EchoLoopResponder { request in
            request.path == "/empty" ? .respond(HTTPResponse(status: 204)) : .respond(.text("hello"))
        }
        try await withLoggedLoopServer(responder: responder) { server in
            let head = try await RawHTTP.exchange(port: server.port, "HEAD /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(head.contains("\r\nContent-Length: 5\r\n"))
            #expect(head.contains("\r\nDate: "))
            #expect(head.contains("\r\nConnection: close\r\n"))
            #expect(head.hasSuffix("\r\n\r\n"))
            let empty = try await RawHTTP.exchange(port: server.port, "GET /empty HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: empty) == 204)
            #expect(!empty.lowercased().contains("content-length"))
            #expect(empty.hasSuffix("\r\n\r\n"))
        }
    }

    @Test("closing connection sends one Connection")
    func closeReplacesHandlerConnection() async throws {
        let responder = EchoLoopResponder { _ in
            .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Connection", "keep-alive")]), body: Data("x".utf8)))
        }
        try await withLoggedLoopServer(responder: responder) { server in
            let response = try await RawHTTP.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(response.components(separatedBy: "\r\nConnection: ").count == 2)
            #expect(response.contains("\r\nConnection: close\r\n"))
        }
    }

    /// Requests that the loop leaves to libmicrohttpd, with the status the thread-pool server gives them.
    static let unusualRequests: [(String, String)] = [
        ("HTTP/1.0", "GET /old HTTP/1.0\r\nHost: t\r\n\r\n"),
        ("no Host", "GET / HTTP/1.1\r\nAccept: */*\r\nConnection: close\r\n\r\n"),
        ("bare LF", "GET / HTTP/1.1\nHost: t\nConnection: close\n\n"),
        ("folded field", "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\nConnection: close\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : t\r\nConnection: close\r\n\r\n"),
        ("body", "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab"),
        ("chunked body", "POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nab\r\n0\r\n\r\n"),
        ("both framings", "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"),
        ("invalid escape", "GET /%zz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
        ("absolute form", "GET http://t/abs HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    ]

    @Test("unusual requests match thread pool", arguments: unusualRequests)
    func unusualRequestsMatchThreadPool(_ name: String, _ request: String) async throws {
        let pool = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), streamingResponder: EchoLoopResponder(), logger: .disabled)
        let expected = try await withStarted(pool) { port in RawHTTP.status(of: try await RawHTTP.exchange(port: port, request)) }
        try await withLoggedLoopServer { server in
            let found = RawHTTP.status(of: try await RawHTTP.exchange(port: server.port, request))
            #expect(found == expected, "\(name)")
            #expect(server.handOverReasons.count == 1, "\(name)")
        }
    }

    /// Cookie sizes around libmicrohttpd's pool (twice the 16 KiB limit plus 16 KiB),
    /// where it would reply with its own page or two responses in a row.
    @Test("oversized head gets one 431", arguments: [17_000, 20_000, 30_000, 60_000])
    func oversizedHead(cookieBytes: Int) async throws {
        try await withLoggedLoopServer { server in
            let cookie = String(repeating: "c", count: cookieBytes)
            let response = try await RawHTTP.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: t\r\nCookie: a=\(cookie)\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 431)
            #expect(response.components(separatedBy: "HTTP/1.1 ").count == 2, "one status line")
            #expect(response.contains("\"code\":\"header_fields_too_large\""))
            #expect(response.contains("\r\nConnection: close\r\n"))
            #expect(server.handOverReasons.isEmpty)
        }
    }

    @Test("oversized request line gets 414")
    func oversizedRequestLine() async throws {
        try await withLoggedLoopServer { server in
            let target = "/" + String(repeating: "p", count: 20_000)
            let response = try await RawHTTP.exchange(port: server.port, "GET \(target) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 414)
            #expect(response.contains("\"code\":\"uri_too_long\""))
        }
    }

    @Test("upstream Date field kept once")
    func upstreamDateKept() async throws {
        let responder = EchoLoopResponder { _ in
            .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Date", "Tue, 01 Dec 2026 10:00:00 GMT")]), body: Data("x".utf8)))
        }
        try await withLoggedLoopServer(responder: responder) { server in
            let response = try await RawHTTP.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(response.components(separatedBy: "\r\nDate: ").count == 2)
            #expect(response.contains("\r\nDate: Tue, 01 Dec 2026 10:00:00 GMT\r\n"))
        }
    }

    @Test("head limit counted like thread pool")
    func headCountedLikeThreadPool() async throws {
        // 150 fields written as "F1:b" take 6 bytes each but count 7 ("F1: b" and CRLF),
        // so the head is 926 bytes on the wire and 1,077 by the limit's count.
        let fields = (0..<150).map { "F\($0 % 10):b\r\n" }.joined()
        let request = "GET / HTTP/1.1\r\nHost:t\r\n\(fields)\r\n"
        #expect(request.utf8.count <= 1024)
        let pool = HTTPServer(
            configuration: HTTPServerConfiguration(maxHeaderBytes: 1024, shutdownGracePeriod: 1), streamingResponder: EchoLoopResponder(), logger: .disabled
        )
        let expected = try await withStarted(pool) { port in RawHTTP.status(of: try await RawHTTP.exchange(port: port, request)) }
        #expect(expected == 431)
        let configuration = HTTPServerConfiguration(maxHeaderBytes: 1024, shutdownGracePeriod: 1, concurrency: .eventLoops(1))
        try await withLoggedLoopServer(configuration) { server in
            let found = RawHTTP.status(of: try await RawHTTP.exchange(port: server.port, request))
            #expect(found == 431)
            #expect(server.handOverReasons == ["the head is over the header limit"])
        }
    }

    @Test("idle connection closed after timeout")
    func idleTimeout() async throws {
        let configuration = HTTPServerConfiguration(connectionTimeout: 1, shutdownGracePeriod: 1, concurrency: .eventLoops(1))
        try await withLoggedLoopServer(configuration) { server in
            let socket = try BlockingSocket(port: server.port, timeoutSeconds: 20)
            let (closed, waited) = try await onThread {
                try socket.send("GET /once HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try readResponses(socket, count: 1)
                let start = ContinuousClock.now
                var byte: UInt8 = 0
                let count = recv(socket.descriptor, &byte, 1, 0)
                return (count == 0, ContinuousClock.now - start)
            }
            #expect(closed)
            #expect(waited < .seconds(15))
        }
    }

    @Test("connection over limit closed")
    func connectionLimit() async throws {
        let configuration = HTTPServerConfiguration(maxConnections: 1, shutdownGracePeriod: 1, concurrency: .eventLoops(1))
        try await withLoggedLoopServer(configuration) { server in
            let first = try BlockingSocket(port: server.port)
            let firstBody = try await onThread {
                try first.send("GET /kept HTTP/1.1\r\nHost: t\r\n\r\n")
                return try readResponses(first, count: 1)[0].body
            }
            #expect(firstBody == "loop GET /kept")
            let second = try await RawHTTP.exchange(port: server.port, "GET /refused HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(second.isEmpty)
            #expect(server.logs.entries.contains { $0.message == "connection rejected at the connection limit" })
            withExtendedLifetime(first) {}
        }
    }

    /// The loop's own client sends to an address, and libcurl sends to a URL
    /// with user information, which the loop's client leaves to it.
    @Test("leaving client cancels upstream exchange", arguments: ["", "probe@"])
    func clientLeavesWhileWaiting(userInfo: String) async throws {
        let arrived = LockedValue(0)
        let upstreamSawClose = LockedValue(false)
        let upstream = try RawUpstream { _, socket in
            guard (try? socket.read(until: "\r\n\r\n")) != nil else { return }
            arrived.withLock { $0 += 1 }
            // The upstream never responds, so only the gateway closing the connection ends this read.
            if let rest = try? socket.readToEnd(), rest.isEmpty {
                upstreamSawClose.withLock { $0 = true }
            }
        }
        defer { upstream.stop() }
        let url = try #require(URL(string: "http://\(userInfo)127.0.0.1:\(upstream.port)/wait"))
        let responder = EchoLoopResponder { request in
            request.path == "/wait"
                ? .forward(StreamingClientRequest(method: "GET", url: url)) { _ in .text("forwarded") }
                : .respond(.text("loop \(request.path)"))
        }
        try await withLoggedLoopServer(responder: responder) { server in
            do {
                let socket = try BlockingSocket(port: server.port)
                try await onThread { try socket.send("GET /wait HTTP/1.1\r\nHost: t\r\nX-Request-Id: leaves-1\r\n\r\n") }
                #expect(await eventually { arrived.current == 1 })
            }
            let aborted = await eventually {
                server.logs.entries.contains { $0.message == "request aborted" && $0.metadata["moat.request.id"] == "leaves-1" }
            }
            #expect(aborted)
            let line = server.logs.entries.first { $0.message == "request aborted" }
            #expect(line?.metadata["moat.http.termination"] == "client_abort")
            #expect(await eventually { upstreamSawClose.current })
            let next = try await RawHTTP.exchange(port: server.port, "GET /after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(next.hasSuffix("loop /after"))
        }
    }
}
