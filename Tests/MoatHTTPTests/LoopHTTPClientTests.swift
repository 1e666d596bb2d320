import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

/// A loop responder that forwards every request to one origin and passes the
/// upstream's status, fields and body back, or the error code with 502 or 504.
private struct Forwarder: HTTPLoopResponder {
    let origin: String
    let readTimeout: TimeInterval
    var connectTimeout: TimeInterval = 5
    var maxIdleTime: TimeInterval = 118

    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        guard let url = URL(string: origin + request.target) else { return .respond(.text("bad target", status: 400)) }
        let upstreamRequest = StreamingClientRequest(
            method: request.method, url: url, headers: HTTPHeaders([("X-Test", request.headers["X-Test"] ?? "")]),
            connectTimeout: connectTimeout, readTimeout: readTimeout, maxIdleTime: maxIdleTime
        )
        return .forward(upstreamRequest) { result in
            switch result {
            case .success(let response):
                var passed = HTTPResponse(status: response.status)
                for field in response.headers where field.name.lowercased().hasPrefix("x-") || field.name.lowercased() == "link" {
                    passed.headers.add(field.name, field.value)
                }
                switch response.body {
                case .complete(let data):
                    passed.headers.add("X-Body", "complete")
                    passed.body = data
                case .stream(let stream):
                    passed.headers.add("X-Body", "stream")
                    passed.bodyStream = stream
                    passed.bodyLength = response.contentLength
                }
                return passed
            case .failure(let error):
                return .text(error.code.description, status: error.code == .timedOut ? 504 : 502)
            }
        }
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        body.discard()
        return .text("fallback", status: 500)
    }
}

/// Runs `body` with a one-loop server that forwards to `upstreamHost`:`upstreamPort`.
private func withForwarder<Value>(
    upstreamHost: String = "127.0.0.1", upstreamPort: Int, readTimeout: TimeInterval = 20, connectTimeout: TimeInterval = 5,
    maxIdleTime: TimeInterval = 118,
    logger: Logger = .disabled, _ body: (Int) async throws -> Value
) async throws -> Value {
    // A long idle timeout: a client that reads nothing while a loaded machine stalls the suite
    // must not lose its connection to libmicrohttpd's 30-second default.
    let configuration = HTTPServerConfiguration(connectionTimeout: 300, shutdownGracePeriod: 1, concurrency: .eventLoops(1))
    let forwarder = Forwarder(
        origin: "http://\(upstreamHost):\(upstreamPort)", readTimeout: readTimeout, connectTimeout: connectTimeout, maxIdleTime: maxIdleTime)
    let server = HTTPServer(configuration: configuration, streamingResponder: forwarder, logger: logger)
    return try await withStarted(server, body)
}

/// The client's view of one exchange with the forwarding server.
private struct Reply {
    var status: Int?
    var head: String
    /// The body, with chunked framing removed; nil when the chunked framing is incomplete.
    var body: [UInt8]?

    var text: String { String(decoding: body ?? [], as: UTF8.self) }
}

/// Sends `GET path` (or `method`) with `Connection: close` and reads until the server closes.
private func fetch(port: Int, _ path: String, method: String = "GET", test: String = "") async throws -> Reply {
    try await onThread {
        let socket = try BlockingSocket(port: port, timeoutSeconds: 60)
        try socket.send("\(method) \(path) HTTP/1.1\r\nHost: test\r\nX-Test: \(test)\r\nConnection: close\r\n\r\n")
        return split(try socket.readToEnd())
    }
}

private func split(_ bytes: [UInt8]) -> Reply {
    let separator = Array("\r\n\r\n".utf8)
    var end = 0
    while end + 4 <= bytes.count, !bytes[end..<end + 4].elementsEqual(separator) {
        end += 1
    }
    guard end + 4 <= bytes.count else { return Reply(status: nil, head: String(decoding: bytes, as: UTF8.self), body: nil) }
    let head = String(decoding: bytes[..<end], as: UTF8.self)
    let rawBody = Array(bytes[(end + 4)...])
    let chunked = head.lowercased().contains("transfer-encoding: chunked")
    return Reply(status: RawHTTP.status(of: head), head: head, body: chunked ? decodeChunked(rawBody) : rawBody)
}

/// Reads request heads and sends `response` after each, until the forwarding server closes the connection.
private func answerEach(_ socket: BlockingSocket, with response: String) {
    while (try? socket.read(until: "\r\n\r\n")) != nil {
        guard (try? socket.send(response)) != nil else { return }
    }
}

@Suite("Loop HTTP client")
struct LoopHTTPClientTests {
    @Test("plain-http origins take the loop client")
    func originEligibility() throws {
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://127.0.0.1:8080/a")))?.authority == "127.0.0.1:8080")
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://[::1]:81/")))?.authority == "[::1]:81")
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://localhost/")))?.authority == "localhost:80")
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://LocalHost:8501/")))?.address == "127.0.0.1")
        #expect(LoopHTTPOrigin(try #require(URL(string: "https://127.0.0.1/"))) == nil)
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://upstream.internal/"))) == nil)
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://user:secret@127.0.0.1/"))) == nil)
    }

    @Test("request head bytes")
    func requestHeadBytes() throws {
        let url = try #require(URL(string: "http://127.0.0.1:8080/a%20b?q=1#fragment"))
        let origin = try #require(LoopHTTPOrigin(url))
        var headers = HTTPHeaders([("Host", "app.example"), ("X-Empty", ""), ("Content-Length", "9"), ("Expect", "100-continue")])
        headers.add("Transfer-Encoding", "chunked")
        let get = try LoopHTTPClient.requestHead(StreamingClientRequest(method: "GET", url: url, headers: headers), origin: origin)
        #expect(String(decoding: get, as: UTF8.self) == "GET /a%20b?q=1 HTTP/1.1\r\nHost: app.example\r\nX-Empty:\r\n\r\n")

        let post = try LoopHTTPClient.requestHead(StreamingClientRequest(method: "POST", url: url), origin: origin)
        #expect(String(decoding: post, as: UTF8.self) == "POST /a%20b?q=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n")

        let bare = try #require(URL(string: "http://127.0.0.1"))
        let root = try LoopHTTPClient.requestHead(StreamingClientRequest(method: "DELETE", url: bare), origin: try #require(LoopHTTPOrigin(bare)))
        #expect(String(decoding: root, as: UTF8.self) == "DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

        #expect(throws: HTTPClientError(.invalidRequest, "")) {
            try LoopHTTPClient.requestHead(StreamingClientRequest(method: "GET", url: url, headers: HTTPHeaders([("X-Bad", "a\r\nb")])), origin: origin)
        }
        #expect(throws: HTTPClientError(.invalidRequest, "")) {
            try LoopHTTPClient.requestHead(StreamingClientRequest(method: "G T", url: url), origin: origin)
        }
        for target in ["/a b", "/a\r\nX-Injected: 1", "/caf\u{E9}", "relative"] {
            let request = StreamingClientRequest(method: "GET", origin: "http://127.0.0.1:8080", target: target)
            #expect(throws: HTTPClientError(.invalidRequest, ""), "\(target.debugDescription)") {
                try LoopHTTPClient.requestHead(request, origin: origin)
            }
        }
    }

    @Test("URL splits into origin and target")
    func urlSplits() throws {
        let cases: [(url: String, origin: String, target: String)] = [
            ("http://127.0.0.1:8080/a/b?x=1#part", "http://127.0.0.1:8080", "/a/b?x=1"),
            ("http://127.0.0.1", "http://127.0.0.1", "/"),
            ("https://user@upstream.example:8443?q", "https://user@upstream.example:8443", "/?q"),
        ]
        for (text, origin, target) in cases {
            let request = StreamingClientRequest(method: "GET", url: try #require(URL(string: text)))
            #expect(request.origin == origin, "\(text)")
            #expect(request.target == target, "\(text)")
            #expect(request.url?.absoluteString == origin + target, "\(text)")
        }
    }

    @Test("Host field from the origin")
    func hostFieldFromOrigin() throws {
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://localhost:8080/")))?.hostField == "localhost:8080")
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://127.0.0.1/")))?.hostField == "127.0.0.1")
        #expect(LoopHTTPOrigin(try #require(URL(string: "http://[::1]:81/")))?.hostField == "[::1]:81")
    }

    @Test("request target forms")
    func requestTargetForms() throws {
        let cases: [(url: String, target: String)] = [
            ("http://127.0.0.1:8080", "/"),
            ("http://127.0.0.1:8080?x=1", "/?x=1"),
            ("http://127.0.0.1/a/b?x=1&y=%2F#part", "/a/b?x=1&y=%2F"),
            ("http://127.0.0.1//double/", "//double/"),
            ("http://[::1]:81/v6?q", "/v6?q"),
            ("http://127.0.0.1#only", "/"),
        ]
        for (text, target) in cases {
            let url = try #require(URL(string: text))
            #expect(StreamingClientRequest.requestTarget(url.absoluteString) == target, "\(text)")
        }
    }

    @Test("scheme and authority prefix")
    func schemeAndAuthorityPrefix() {
        let cases: [(url: String, prefix: String)] = [
            ("http://127.0.0.1:8080/a?b", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080?b", "http://127.0.0.1:8080"),
            ("http://user:secret@127.0.0.1#f", "http://user:secret@127.0.0.1"),
            ("https://[::1]:443/", "https://[::1]:443"),
            ("http://127.0.0.1", "http://127.0.0.1"),
        ]
        for (url, prefix) in cases {
            #expect(StreamingClientRequest.schemeAndAuthority(url) == prefix, "\(url)")
        }
    }

    @Test("sequential requests reuse one connection")
    func keepAliveReuse() async throws {
        let heads = LockedValue<[String]>([])
        let upstream = try RawUpstream { _, socket in
            while let head = try? socket.read(until: "\r\n\r\n") {
                heads.withLock { $0.append(head) }
                guard (try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) != nil else { return }
            }
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for index in 0..<4 {
                let reply = try await fetch(port: port, "/item/\(index)?n=\(index)", test: "value \(index)")
                #expect(reply.status == 200)
                #expect(reply.text == "ok")
            }
        }
        #expect(upstream.acceptedCount == 1)
        let received = heads.current
        #expect(received.count == 4)
        #expect(received.first == "GET /item/0?n=0 HTTP/1.1\r\nHost: 127.0.0.1:\(upstream.port)\r\nX-Test: value 0\r\n\r\n")
    }

    @Test("closed idle connection is retried")
    func retryAfterIdleClose() async throws {
        let secondHeadOnFirstConnection = LockedValue(false)
        let upstream = try RawUpstream { index, socket in
            if index == 0 {
                guard (try? socket.read(until: "\r\n\r\n")) != nil else { return }
                try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                // The next request arrives, and the connection closes without a response,
                // as when an upstream's keep-alive timeout crosses the request.
                if (try? socket.read(until: "\r\n\r\n")) != nil {
                    secondHeadOnFirstConnection.withLock { $0 = true }
                }
                return
            }
            answerEach(socket, with: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nretry")
        }
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test", level: .debug, handler: logs)
        try await withForwarder(upstreamPort: upstream.port, logger: logger) { port in
            let first = try await fetch(port: port, "/")
            #expect(first.text == "first")
            let second = try await fetch(port: port, "/")
            #expect(second.status == 200)
            #expect(second.text == "retry")
        }
        #expect(secondHeadOnFirstConnection.current)
        #expect(upstream.acceptedCount == 2)
        let retries = logs.entries.filter { $0.message == "upstream request retried on a new connection" }
        #expect(retries.count == 1)
        #expect(retries.first?.metadata["moat.request.id"]?.isEmpty == false)
    }

    @Test("new connection closed without response fails")
    func newConnectionClosedFails() async throws {
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "connection_failed")
        }
        #expect(upstream.acceptedCount == 1)
    }

    @Test("chunked response")
    func chunkedResponse() async throws {
        let upstream = try RawUpstream { _, socket in
            answerEach(socket, with: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for _ in 0..<2 {
                let reply = try await fetch(port: port, "/")
                #expect(reply.status == 200)
                #expect(reply.head.contains("X-Body: stream"))
                #expect(reply.head.contains("X-Kind: chunked"))
                #expect(reply.text == "hello world")
            }
        }
        #expect(upstream.acceptedCount == 1)
    }

    @Test("body read until close")
    func bodyUntilClose() async throws {
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
            try? socket.send("HTTP/1.1 200 OK\r\n\r\nuntil the end")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for _ in 0..<2 {
                let reply = try await fetch(port: port, "/")
                #expect(reply.status == 200)
                #expect(reply.text == "until the end")
            }
        }
        #expect(upstream.acceptedCount == 2)
    }

    @Test("large streamed body arrives whole")
    func largeStreamedBody() async throws {
        let size = 4 << 20
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let upstream = try RawUpstream { _, socket in
            while (try? socket.read(until: "\r\n\r\n")) != nil {
                guard (try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n")) != nil else { return }
                // Uneven pieces, so that reads and stream writes do not line up.
                var offset = 0
                while offset < size {
                    let end = min(size, offset + 7919 * (1 + offset % 5))
                    guard (try? socket.send(Array(payload[offset..<end]))) != nil else { return }
                    offset = end
                }
            }
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for _ in 0..<2 {
                let reply = try await fetch(port: port, "/large")
                #expect(reply.status == 200)
                #expect(reply.head.contains("X-Body: stream"))
                #expect(reply.body?.count == size)
                #expect(reply.body == payload)
            }
        }
        #expect(upstream.acceptedCount == 1)
    }

    @Test("slow reader stops upstream reads")
    func backpressure() async throws {
        let total = 64 << 20
        let sent = LockedValue(0)
        let upstream = try RawUpstream { _, socket in
            guard (try? socket.read(until: "\r\n\r\n")) != nil else { return }
            try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
            let piece = [UInt8](repeating: 0x62, count: 64 * 1024)
            while sent.current < total, (try? socket.send(piece)) != nil {
                sent.withLock { $0 += piece.count }
            }
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let socket = try BlockingSocket(port: port, timeoutSeconds: 60)
            var small: Int32 = 64 * 1024
            setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            try await onThread { try socket.send("GET /large HTTP/1.1\r\nHost: test\r\n\r\n") }
            _ = try await onThread { try socket.read(until: "\r\n\r\n") }

            let stalled = await settledValue { sent.current }
            #expect(stalled < total / 4)

            // Reading more than was in flight makes the loop read the upstream again.
            _ = try await onThread { try socket.read(count: stalled + (4 << 20)) }
            let resumed = await settledValue { sent.current }
            #expect(resumed > stalled)
        }
    }

    @Test("paused stream has no read timeout")
    func pausedStreamDoesNotTimeOut() async throws {
        let total = 16 << 20
        let upstream = try RawUpstream { _, socket in
            guard (try? socket.read(until: "\r\n\r\n")) != nil else { return }
            try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
            try? socket.send([UInt8](repeating: 0x64, count: total))
        }
        try await withForwarder(upstreamPort: upstream.port, readTimeout: 1) { port in
            let socket = try BlockingSocket(port: port, timeoutSeconds: 60)
            var small: Int32 = 64 * 1024
            setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            try await onThread { try socket.send("GET /large HTTP/1.1\r\nHost: test\r\n\r\n") }
            _ = try await onThread { try socket.read(until: "\r\n\r\n") }
            // The client reads nothing for longer than the read timeout, so the stream stays full.
            try await Task.sleep(for: .seconds(3))
            let body = try await onThread { try socket.read(count: total) }
            #expect(body.count == total)
        }
    }

    @Test("HEAD, 204 and 304 carry no body")
    func bodylessResponses() async throws {
        let upstream = try RawUpstream { _, socket in
            while let head = try? socket.read(until: "\r\n\r\n") {
                let response: String
                if head.hasPrefix("HEAD ") {
                    response = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Kind: head\r\n\r\n"
                } else if head.hasPrefix("GET /empty ") {
                    response = "HTTP/1.1 204 No Content\r\nX-Kind: 204\r\n\r\n"
                } else if head.hasPrefix("GET /cached ") {
                    response = "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nX-Kind: 304\r\n\r\n"
                } else {
                    response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter"
                }
                guard (try? socket.send(response)) != nil else { return }
            }
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let head = try await fetch(port: port, "/", method: "HEAD")
            #expect(head.status == 200)
            #expect(head.head.contains("X-Kind: head"))
            #expect(try await fetch(port: port, "/next").text == "after")

            let empty = try await fetch(port: port, "/empty")
            #expect(empty.status == 204)
            #expect(empty.head.contains("X-Kind: 204"))
            #expect(try await fetch(port: port, "/next").text == "after")

            let cached = try await fetch(port: port, "/cached")
            #expect(cached.status == 304)
            #expect(cached.head.contains("X-Kind: 304"))
            #expect(try await fetch(port: port, "/next").text == "after")
        }
        #expect(upstream.acceptedCount == 1)
    }

    @Test("interim 100 and 103 are dropped")
    func interimResponsesDropped() async throws {
        let upstream = try RawUpstream { _, socket in
            answerEach(socket, with: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for _ in 0..<2 {
                let reply = try await fetch(port: port, "/")
                #expect(reply.status == 200)
                #expect(reply.head.contains("X-Final: yes"))
                #expect(!reply.head.contains("Link"))
                #expect(reply.text == "final")
            }
        }
        #expect(upstream.acceptedCount == 1)
    }

    @Test("101 on a forward is an error")
    func switchingProtocolsFails() async throws {
        let upstream = try RawUpstream { _, socket in
            answerEach(socket, with: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "transfer_failed")
        }
    }

    @Test("connection refused")
    func connectionRefused() async throws {
        // A socket that is bound but not listening: connecting to its port is refused, and while
        // it stays open no other test can bind the port and accept the connection.
        let (reserved, port) = try openLoopbackSocket(backlog: nil)
        defer { close(reserved) }
        try await withForwarder(upstreamPort: port) { serverPort in
            let reply = try await fetch(port: serverPort, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "connection_failed")
        }
    }

    @Test("localhost reaches an IPv6-only upstream", .enabled(if: isIPv6LoopbackAvailable))
    func localhostFallsBackToIPv6() async throws {
        let heads = LockedValue<[String]>([])
        // The same port on 127.0.0.1 is held bound but not listening, so that it
        // refuses, and no test running beside this one can listen there.
        var reservation: (upstream: RawUpstream, descriptor: Int32)?
        for _ in 0..<5 where reservation == nil {
            let candidate = try RawUpstream(ipv6: true) { _, socket in
                while let head = try? socket.read(until: "\r\n\r\n") {
                    heads.withLock { $0.append(head) }
                    guard (try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6")) != nil else { return }
                }
            }
            if let (descriptor, _) = try? openLoopbackSocket(port: candidate.port, backlog: nil) {
                reservation = (candidate, descriptor)
            }
        }
        let (upstream, reserved) = try #require(reservation)
        defer { close(reserved) }
        try await withForwarder(upstreamHost: "localhost", upstreamPort: upstream.port) { port in
            for _ in 0..<2 {
                let reply = try await fetch(port: port, "/")
                #expect(reply.status == 200)
                #expect(reply.text == "v6")
            }
        }
        #expect(upstream.acceptedCount == 1)
        #expect(heads.current.first?.contains("\r\nHost: localhost:\(upstream.port)\r\n") == true)
    }

    @Test("localhost refused on both addresses", .enabled(if: isIPv6LoopbackAvailable))
    func localhostRefusedTwice() async throws {
        // Bound but not listening on both addresses, so both connects are refused and no other test takes the port.
        let (reserved, port) = try openLoopbackSocket(backlog: nil)
        defer { close(reserved) }
        let (reservedIPv6, _) = try openLoopbackSocket(port: port, backlog: nil, ipv6: true)
        defer { close(reservedIPv6) }
        try await withForwarder(upstreamHost: "localhost", upstreamPort: port) { serverPort in
            let reply = try await fetch(port: serverPort, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "connection_failed")
        }
    }

    @Test("idle connection expires")
    func idleConnectionExpires() async throws {
        let closedByClient = DispatchSemaphore(value: 0)
        let upstream = try RawUpstream { index, socket in
            guard (try? socket.read(until: "\r\n\r\n")) != nil else { return }
            guard (try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) != nil else { return }
            // The read ends without a head only when the client closes the idle connection.
            if index == 0, (try? socket.read(until: "\r\n\r\n")) == nil {
                closedByClient.signal()
            }
        }
        try await withForwarder(upstreamPort: upstream.port, maxIdleTime: 0.5) { port in
            let first = try await fetch(port: port, "/")
            #expect(first.text == "ok")
            let closed = try await onThread { closedByClient.wait(timeout: .now() + 30) == .success }
            #expect(closed)
            let second = try await fetch(port: port, "/")
            #expect(second.text == "ok")
        }
        #expect(upstream.acceptedCount == 2)
    }

    @Test("connect timeout on full queue")
    func connectTimeout() async throws {
        // A listener that never accepts, with its accept queue filled: Linux drops
        // further SYNs, so a new connection stays in progress until the client gives up.
        let (listener, port) = try openLoopbackSocket(backlog: 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            fillers.append(filler)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        try await Task.sleep(for: .milliseconds(200))

        try await withForwarder(upstreamPort: port, connectTimeout: 1) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 504)
            #expect(reply.text == "timed_out")
        }
    }

    @Test("silent upstream times out")
    func readTimeout() async throws {
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
            release.wait()
        }
        try await withForwarder(upstreamPort: upstream.port, readTimeout: 1) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 504)
            #expect(reply.text == "timed_out")
        }
    }

    @Test("upstream closing mid-body fails the stream")
    func closeMidStream() async throws {
        let size = 1 << 20
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
            try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n")
            try? socket.send([UInt8](repeating: 0x63, count: size / 2))
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 200)
            #expect(reply.head.contains("X-Body: stream"))
            let received = reply.body?.count ?? 0
            #expect(received < size)
        }
    }

    @Test("upstream closing mid-body fails a buffered response")
    func closeMidBufferedBody() async throws {
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
            try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "transfer_failed")
        }
    }

    @Test("malformed response fails")
    func malformedResponse() async throws {
        let upstream = try RawUpstream { _, socket in
            answerEach(socket, with: "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "transfer_failed")
        }
    }

    @Test("oversized response head fails")
    func oversizedHead() async throws {
        let filler = (0..<80).map { "X-Filler-\($0): \(String(repeating: "f", count: 1000))\r\n" }.joined()
        let upstream = try RawUpstream { _, socket in
            answerEach(socket, with: "HTTP/1.1 200 OK\r\n\(filler)Content-Length: 2\r\n\r\nok")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            let reply = try await fetch(port: port, "/")
            #expect(reply.status == 502)
            #expect(reply.text == "transfer_failed")
        }
    }

    @Test("Connection: close is not reused")
    func connectionCloseNotReused() async throws {
        let upstream = try RawUpstream { _, socket in
            // The upstream keeps its end open: the client must not reuse the connection anyway.
            answerEach(socket, with: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            for _ in 0..<3 {
                let reply = try await fetch(port: port, "/")
                #expect(reply.text == "ok")
            }
        }
        #expect(upstream.acceptedCount == 3)
    }

    @Test("client going away closes the upstream connection")
    func clientGoneClosesUpstream() async throws {
        let upstreamSawClose = LockedValue(false)
        let upstream = try RawUpstream { _, socket in
            _ = try? socket.read(until: "\r\n\r\n")
            guard (try? socket.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) != nil else { return }
            // A heartbeat lets the upstream notice the closed connection through a failed send.
            while (try? socket.send("5\r\ntick\n\r\n")) != nil {
                Thread.sleep(forTimeInterval: 0.05)
            }
            upstreamSawClose.withLock { $0 = true }
        }
        try await withForwarder(upstreamPort: upstream.port) { port in
            do {
                let socket = try BlockingSocket(port: port, timeoutSeconds: 60)
                try await onThread { try socket.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n") }
                _ = try await onThread { try socket.read(until: "tick\n") }
            }
            #expect(await eventually { upstreamSawClose.current })
        }
    }
}
