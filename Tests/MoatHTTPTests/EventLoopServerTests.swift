import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

/// A loop responder built from two closures: the loop decision and the fallback.
private struct LoopHandler: HTTPLoopResponder {
    let decide: @Sendable (HTTPRequest) -> HTTPLoopDecision
    var fallback: @Sendable (HTTPRequest, HTTPRequestBody) async -> HTTPResponse = { _, body in
        body.discard()
        return HTTPResponse.text("fallback")
    }

    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        decide(request)
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        await fallback(request, body)
    }
}

private func withLoopServer<Value>(
    loops: Int = 2,
    _ handler: LoopHandler,
    _ body: (Int) async throws -> Value
) async throws -> Value {
    let configuration = HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(loops))
    let server = HTTPServer(configuration: configuration, streamingResponder: handler, logger: .disabled)
    return try await withStarted(server, body)
}

/// A streaming responder for upstream servers in these tests.
private struct UpstreamHandler: HTTPStreamingResponder {
    let handle: @Sendable (HTTPRequest) -> HTTPResponse

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        body.discard()
        return handle(request)
    }
}

/// Runs `body` with an upstream server on the thread pool and a loop server
/// that forwards every request to it and passes the response through.
private func withForwardingPair<Value>(
    loops: Int = 2,
    upstream handle: @escaping @Sendable (HTTPRequest) -> HTTPResponse,
    readTimeout: TimeInterval = 60,
    _ body: (Int) async throws -> Value
) async throws -> Value {
    let upstream = HTTPServer(
        configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), streamingResponder: UpstreamHandler(handle: handle), logger: .disabled
    )
    try upstream.start()
    let origin = "http://127.0.0.1:\(upstream.port)"
    let handler = LoopHandler { request in
        guard let url = URL(string: origin + request.target) else { return .respond(.text("bad target", status: 400)) }
        return .forward(StreamingClientRequest(method: request.method, url: url, readTimeout: readTimeout)) { result in
            switch result {
            case .success(let response):
                var passed = HTTPResponse(status: response.status)
                switch response.body {
                case .complete(let data):
                    passed.body = data
                case .stream(let stream):
                    passed.bodyStream = stream
                    passed.bodyLength = response.contentLength
                }
                return passed
            case .failure(let error):
                return .text(error.code.description, status: error.code == .timedOut ? 504 : 502)
            }
        }
    }
    do {
        let result = try await withLoopServer(loops: loops, handler, body)
        await upstream.stop()
        return result
    } catch {
        await upstream.stop()
        throw error
    }
}

@Suite("Event-loop server")
struct EventLoopServerTests {
    @Test("loop response is sent")
    func loopResponse() async throws {
        let handler = LoopHandler { request in
            .respond(HTTPResponse.text("on loop \(request.path) \(EventLoop.current != nil)"))
        }
        try await withLoopServer(handler) { port in
            let response = try await RawHTTP.exchange(port: port, "GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 200)
            #expect(response.hasSuffix("on loop /hello true"))
        }
    }

    @Test("fallback path runs the async responder")
    func fallbackPath() async throws {
        let handler = LoopHandler { _ in .runBlocking }
        try await withLoopServer(handler) { port in
            let response = try await RawHTTP.exchange(port: port, "GET /slow HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 200)
            #expect(response.hasSuffix("fallback"))
        }
    }

    @Test("forwarded request returns the upstream body")
    func forwardedRequest() async throws {
        var router = Router()
        router.get("/data") { _ in .text("upstream data") }
        let upstream = HTTPServer(configuration: HTTPServerConfiguration(), responder: router, logger: .disabled)
        try upstream.start()
        defer { Task { await upstream.stop() } }
        let url = try #require(URL(string: "http://127.0.0.1:\(upstream.port)/data"))
        let handler = LoopHandler { _ in
            .forward(StreamingClientRequest(method: "GET", url: url)) { result in
                switch result {
                case .success(let response):
                    guard case .complete(let data) = response.body else { return .text("streamed") }
                    return HTTPResponse(status: response.status, body: data)
                case .failure(let error):
                    return .text(error.code.description, status: 502)
                }
            }
        }
        try await withLoopServer(handler) { port in
            let response = try await RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 200)
            #expect(response.hasSuffix("upstream data"))
        }
    }

    @Test("SSE events pass through the loop as they arrive")
    func serverSentEventsAreIncremental() async throws {
        let release = DispatchSemaphore(value: 0)
        try await withForwardingPair(upstream: { _ in
            return HeldEventStream.response(release: release)
        }) { port in
            let socket = try BlockingSocket(port: port)
            try await onThread { try socket.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n") }
            let first = try await onThread { try socket.read(until: "data: first\n\n") }
            #expect(first.hasPrefix("HTTP/1.1 200"))
            #expect(!first.contains("data: second"))
            release.signal()
            let rest = try await onThread { try socket.read(until: "0\r\n\r\n") }
            #expect(rest.contains("data: second"))
        }
    }

    @Test("slow client pauses the upstream instead of buffering")
    func slowClientPausesUpstream() async throws {
        let total = 128 << 20
        let piece = Data(repeating: 0x61, count: 64 * 1024)
        let produced = LockedValue(0)
        try await withForwardingPair(upstream: { _ in
            let stream = HTTPBodyStream()
            Thread.detachNewThread {
                while produced.current < total, stream.write(piece) {
                    produced.withLock { $0 += piece.count }
                }
                stream.finish()
            }
            var response = HTTPResponse(status: 200)
            response.bodyStream = stream
            response.bodyLength = total
            return response
        }) { port in
            let socket = try BlockingSocket(port: port)
            var small: Int32 = 64 * 1024
            setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            try await onThread { try socket.send("GET /large HTTP/1.1\r\nHost: test\r\n\r\n") }
            _ = try await onThread { try socket.read(until: "\r\n\r\n") }

            let stalled = await settledValue { produced.current }
            #expect(stalled < total / 2)

            _ = try await onThread { try socket.read(count: 16 << 20) }
            let resumed = await settledValue { produced.current }
            #expect(resumed > stalled)
        }
    }

    @Test("client disconnect ends the upstream transfer")
    func clientDisconnectEndsTransfer() async throws {
        let upstreamStream = LockedValue<HTTPBodyStream?>(nil)
        try await withForwardingPair(upstream: { _ in
            let stream = HTTPBodyStream()
            upstreamStream.withLock { $0 = stream }
            Thread.detachNewThread {
                // A heartbeat lets both servers notice a closed peer.
                while stream.write(Data("data: tick\n\n".utf8)) {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
            response.bodyStream = stream
            return response
        }) { port in
            do {
                let socket = try BlockingSocket(port: port)
                try await onThread { try socket.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n") }
                _ = try await onThread { try socket.read(until: "data: tick\n\n") }
            }
            let stream = try #require(upstreamStream.current)
            #expect(await eventually { stream.isCancelled })
        }
    }

    @Test("silent upstream gives a timeout")
    func silentUpstreamTimesOut() async throws {
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        try await withForwardingPair(upstream: { _ in
            release.wait()
            return .text("late")
        }, readTimeout: 1) { port in
            let response = try await RawHTTP.exchange(port: port, "GET /slow HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: response) == 504)
            #expect(response.hasSuffix("timed_out"))
        }
    }

    @Test("connections spread over the loops")
    func connectionsSpreadOverLoops() async throws {
        let seen = LockedValue(Set<Int>())
        let handler = LoopHandler { _ in
            if let index = EventLoop.current?.index {
                seen.withLock { _ = $0.insert(index) }
            }
            return .respond(.text("ok"))
        }
        try await withLoopServer(loops: 2, handler) { port in
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        RawHTTP.status(of: try await RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"))
                    }
                }
                for try await status in group {
                    #expect(status == 200)
                }
            }
        }
        #expect(seen.current == [0, 1])
    }

    @Test("request with a body takes the fallback path")
    func bodyTakesFallback() async throws {
        let handler = LoopHandler(decide: { _ in .respond(.text("loop")) }, fallback: { _, body in
            let data = (try? await body.collect(limit: 1024)) ?? Data()
            return .text("fallback read \(data.count)")
        })
        try await withLoopServer(handler) { port in
            let response = try await RawHTTP.exchange(port: port, "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            #expect(response.hasSuffix("fallback read 5"))
        }
    }

    @Test("stop ends suspended exchanges")
    func stopWithSuspendedConnections() async throws {
        let release = DispatchSemaphore(value: 0)
        let arrived = LockedValue(0)
        let upstream = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: 0),
            streamingResponder: UpstreamHandler { _ in
                arrived.withLock { $0 += 1 }
                release.wait()
                return .text("late")
            },
            logger: .disabled
        )
        try upstream.start()

        let url = try #require(URL(string: "http://127.0.0.1:\(upstream.port)/"))
        let handler = LoopHandler { _ in
            .forward(StreamingClientRequest(method: "GET", url: url)) { _ in .text("forwarded") }
        }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: 0, concurrency: .eventLoops(2)), streamingResponder: handler, logger: .disabled
        )
        try server.start()
        let port = server.port

        let replies = Task {
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        RawHTTP.status(of: try await RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"))
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
        }
        // Once the upstream has received all four requests, every client is connected and
        // its exchange suspended. A fixed sleep instead let a slow client connect after the stop.
        #expect(await eventually { arrived.current == 4 })
        await server.stop()
        let statuses = try await replies.value
        for _ in 0..<4 {
            release.signal()
        }
        await upstream.stop()
        // Each client got the 503 or a closed connection; none waits for the upstream.
        #expect(statuses.count == 4)
        #expect(statuses.allSatisfy { $0 == nil || $0 == 503 })
    }

    @Test("reused upstream handle sends each method")
    func reusedHandleSendsEachMethod() async throws {
        try await withForwardingPair(loops: 1, upstream: { request in
            .text("\(request.method) length \(request.headers["Content-Length"] ?? "none")")
        }) { port in
            let cases: [(method: String, expected: String)] = [
                ("GET", "GET length none"), ("DELETE", "DELETE length none"), ("GET", "GET length none"),
                ("POST", "POST length 0"), ("PUT", "PUT length 0"), ("GET", "GET length none"),
            ]
            for (method, expected) in cases {
                let response = try await RawHTTP.exchange(port: port, "\(method) /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                #expect(response.hasSuffix(expected), "\(method)")
            }
            let head = try await RawHTTP.exchange(port: port, "HEAD /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: head) == 200)
            let after = try await RawHTTP.exchange(port: port, "GET /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            #expect(after.hasSuffix("GET length none"))
        }
    }
}
