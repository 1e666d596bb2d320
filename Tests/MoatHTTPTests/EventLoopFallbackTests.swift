import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

/// A blocking responder built from a closure, which the loop always sends to the fallback path.
private struct BlockingHandler: HTTPBlockingResponder, HTTPLoopResponder {
    let handle: @Sendable (HTTPRequest, HTTPRequestBody) -> HTTPResponse

    func respondBlocking(to request: HTTPRequest, body: HTTPRequestBody) -> HTTPResponse {
        handle(request, body)
    }

    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        .runBlocking
    }
}

/// Responds on the loop with the loop's index and thread id.
private struct LoopIdentityHandler: HTTPLoopResponder {
    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        .respond(.text("\(EventLoop.current?.index ?? -1) \(currentThreadID())"))
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        .text("not on a loop", status: 500)
    }
}

private func withLoopServer<Value>(
    _ handle: @escaping @Sendable (HTTPRequest, HTTPRequestBody) -> HTTPResponse,
    _ body: (Int) async throws -> Value
) async throws -> Value {
    let configuration = HTTPServerConfiguration(maxBodyBytes: 8 << 20, shutdownGracePeriod: 1, concurrency: .eventLoops(2))
    let server = HTTPServer(configuration: configuration, streamingResponder: BlockingHandler(handle: handle), logger: .disabled)
    return try await withStarted(server, body)
}

/// Returns the calling thread's pthread id as text, to tell threads apart.
private func currentThreadID() -> String {
    String(UInt(pthread_self()))
}

@Suite("Event-loop fallback path")
struct EventLoopFallbackTests {
    @Test("requests on one connection share its loop")
    func requestsShareTheLoop() async throws {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(2)),
            streamingResponder: LoopIdentityHandler(), logger: .disabled
        )
        try server.start()
        defer { Task { await server.stop() } }
        let socket = try BlockingSocket(port: server.port)
        let request = "GET /loop HTTP/1.1\r\nHost: test\r\n\r\n"
        func loopIdentity() async throws -> String {
            let reply = try await onThread {
                try socket.send(request)
                return try socket.read(until: "\r\n\r\n")
            }
            let length = try #require(reply.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") })
            let count = try #require(Int(length.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
            return String(decoding: try await onThread { try socket.read(count: count) }, as: UTF8.self)
        }
        let first = try await loopIdentity()
        let second = try await loopIdentity()
        #expect(!first.hasPrefix("-1"))
        #expect(first == second)
    }

    @Test("upload reaches the responder while it streams")
    func uploadStreamsToResponder() async throws {
        try await withLoopServer({ _, body in
            var received = 0
            while case .data(let data) = body.read(maxBytes: 64 * 1024) {
                received += data.count
            }
            return .text("received \(received)")
        }) { port in
            let size = 4 << 20
            let response = try await HTTPClient().send(HTTPClientRequest(
                method: "PUT", url: try #require(URL(string: "http://127.0.0.1:\(port)/upload")),
                body: Data(repeating: 0x41, count: size), timeout: 30
            ))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "received \(size)")
        }
    }

    @Test("streamed body arrives before it ends")
    func streamedBodyArrivesIncrementally() async throws {
        let release = DispatchSemaphore(value: 0)
        try await withLoopServer({ _, _ in
            return HeldEventStream.response(release: release)
        }) { port in
            let socket = try BlockingSocket(port: port)
            try await onThread { try socket.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n") }
            // The writer holds back the second event until the first has arrived.
            let first = try await onThread { try socket.read(until: "data: first\n\n") }
            #expect(first.contains("HTTP/1.1 200"))
            release.signal()
            let rest = try await onThread { try socket.read(until: "0\r\n\r\n") }
            #expect(rest.contains("data: second"))
        }
    }

    @Test("stop ends a stream that waits for data")
    func stopEndsWaitingStream() async throws {
        let stream = HTTPBodyStream()
        let configuration = HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(2))
        let server = HTTPServer(configuration: configuration, streamingResponder: BlockingHandler { _, _ in
            var response = HTTPResponse(status: 200)
            response.bodyStream = stream
            return response
        }, logger: .disabled)
        try server.start()
        let socket = try BlockingSocket(port: server.port)
        try await onThread { try socket.send("GET /never HTTP/1.1\r\nHost: test\r\n\r\n") }
        _ = try await onThread { try socket.read(until: "\r\n\r\n") }
        // The connection is now suspended until a write that never comes; stop must still return.
        await server.stop()
        #expect(!stream.isWritable)
    }

    @Test("start logs no libmicrohttpd warning")
    func startLogsNoWarning() async throws {
        let logs = InMemoryLogHandler()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(2)),
            streamingResponder: BlockingHandler { _, _ in HTTPResponse(status: 204) },
            logger: Logger(label: "moat.http.test", level: .trace, handler: logs)
        )
        try server.start()
        await server.stop()

        let libraryMessages = logs.entries.filter { $0.message == "libmicrohttpd reported an error" }
        #expect(libraryMessages.isEmpty, "libmicrohttpd logged: \(libraryMessages.map(\.metadata))")
    }
}
