import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

/// A client that closes its connection while libmicrohttpd keeps it
/// suspended: waiting for the handler, for the handler to read the upload,
/// or for the next piece of a streamed response.
@Suite("Client departure")
struct ClientDepartureTests {
    static let concurrencies: [HTTPServerConfiguration.Concurrency] = [.threadPool, .eventLoops(1)]

    @Test("departure while handler waits", arguments: concurrencies)
    func leavesWhileHandlerWaits(concurrency: HTTPServerConfiguration.Concurrency) async throws {
        let bodyRead = LockedValue(false)
        let noticed = LockedValue(false)
        try await withLoggedStreamingServer(concurrency, { _, body in
            _ = try? await body.collect(limit: 1024)
            bodyRead.withLock { $0 = true }
            // Stands for a slow upstream: waits until the client leaves or 20 s pass.
            let left = (try? await onThread { waitForDeparture(of: body) }) ?? false
            noticed.withLock { $0 = left }
            return .text("late answer")
        }) { port, logs in
            do {
                let socket = try BlockingSocket(port: port)
                try await onThread { try socket.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello") }
                #expect(await eventually { bodyRead.current })
            }
            #expect(await eventually { noticed.current })
            let line = await logEntry(in: logs) { $0.message == "request aborted" && $0.metadata["moat.http.path"] == "/slow" }
            #expect(line?.metadata["moat.http.termination"] == "client_abort")
            // The server closed the connection on purpose, so libmicrohttpd's "internal error" line is left out.
            #expect(!logs.entries.contains { $0.message == "libmicrohttpd reported an error" })
        }
    }

    @Test("departure while upload is paused", arguments: concurrencies)
    func leavesWhileUploadPaused(concurrency: HTTPServerConfiguration.Concurrency) async throws {
        let started = LockedValue(false)
        let noticed = LockedValue(false)
        let configuration = HTTPServerConfiguration(maxBodyBytes: 64 << 20, shutdownGracePeriod: 1, concurrency: concurrency)
        try await withLoggedStreamingServer(configuration, { _, body in
            started.withLock { $0 = true }
            // Never reads, like an upstream that does not take the upload, so the server pauses the client.
            let left = (try? await onThread { waitForDeparture(of: body) }) ?? false
            noticed.withLock { $0 = left }
            return .text("late answer")
        }) { port, _ in
            do {
                let socket = try BlockingSocket(port: port)
                try await onThread {
                    try socket.send("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(4 << 20)\r\n\r\n")
                    try socket.send([UInt8](repeating: 0x61, count: 512 << 10))
                }
                #expect(await eventually { started.current })
                // Time for the server to buffer 256 KiB and pause reading; a local read takes far less.
                try await Task.sleep(for: .milliseconds(300))
                // A FIN would queue behind upload bytes that the paused server does not read,
                // so the client resets the connection (SO_LINGER with a zero timeout).
                var reset = linger(l_onoff: 1, l_linger: 0)
                setsockopt(socket.descriptor, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            }
            #expect(await eventually { noticed.current })
        }
    }

    @Test("departure while stream waits cancels it", arguments: concurrencies)
    func leavesWhileStreamWaits(concurrency: HTTPServerConfiguration.Concurrency) async throws {
        let stream = HTTPBodyStream()
        try await withLoggedStreamingServer(concurrency, { _, body in
            body.discard()
            _ = stream.write(Data("data: first\n\n".utf8))
            var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
            response.bodyStream = stream
            return response
        }) { port, logs in
            do {
                let socket = try BlockingSocket(port: port)
                try await onThread {
                    try socket.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
                    _ = try socket.read(until: "data: first\n\n")
                }
            }
            // No second event is ever written, so only the departure can end the stream.
            #expect(await eventually { stream.isCancelled })
            let line = await logEntry(in: logs) { $0.metadata["moat.http.path"] == "/events" && $0.message.hasPrefix("request ") }
            #expect(line?.metadata["moat.http.termination"] == "client_abort")
        }
    }

    @Test("next request is no departure")
    func pipelinedBytesAreNotDeparture() async throws {
        let waiting = LockedValue(false)
        let departed = LockedValue(false)
        try await withLoggedStreamingServer(.threadPool, { request, body in
            _ = try? await body.collect(limit: 1024)
            if request.path == "/first" {
                waiting.withLock { $0 = true }
                let left = (try? await onThread { waitForDeparture(of: body, seconds: 2) }) ?? true
                departed.withLock { $0 = left }
            }
            return .text("answer \(request.path)")
        }) { port, _ in
            let socket = try BlockingSocket(port: port, timeoutSeconds: 20)
            try await onThread { try socket.send("POST /first HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab") }
            #expect(await eventually { waiting.current })
            // These bytes reach the suspended connection's socket while the first request waits.
            try await onThread { try socket.send("POST /second HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\ncd") }
            let replies = try await onThread { try socket.read(until: "answer /second") }
            #expect(replies.contains("answer /first"))
            #expect(!departed.current)
        }
    }
}

/// Blocks until the client behind `body` leaves or `seconds` pass; returns whether it left.
private func waitForDeparture(of body: HTTPRequestBody, seconds: Int = 20) -> Bool {
    let left = DispatchSemaphore(value: 0)
    body.onClientLeave { left.signal() }
    return left.wait(timeout: .now() + .seconds(seconds)) == .success
}

private func withLoggedStreamingServer<Value>(
    _ concurrency: HTTPServerConfiguration.Concurrency,
    _ handle: @escaping @Sendable (HTTPRequest, HTTPRequestBody) async -> HTTPResponse,
    _ body: (Int, InMemoryLogHandler) async throws -> Value
) async throws -> Value {
    try await withLoggedStreamingServer(HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: concurrency), handle, body)
}

private func withLoggedStreamingServer<Value>(
    _ configuration: HTTPServerConfiguration,
    _ handle: @escaping @Sendable (HTTPRequest, HTTPRequestBody) async -> HTTPResponse,
    _ body: (Int, InMemoryLogHandler) async throws -> Value
) async throws -> Value {
    let logs = InMemoryLogHandler()
    let logger = Logger(label: "moat.http.test", level: .debug, handler: logs)
    let server = HTTPServer(configuration: configuration, streamingResponder: StreamingHandler(handle: handle), logger: logger)
    return try await withStarted(server) { port in try await body(port, logs) }
}

/// Waits up to 20 seconds for a log entry matching `predicate`.
private func logEntry(in logs: InMemoryLogHandler, where predicate: (LogEntry) -> Bool) async -> LogEntry? {
    _ = await eventually { logs.entries.contains(where: predicate) }
    return logs.entries.first(where: predicate)
}
