import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

@Suite("HTTPServer lifecycle")
struct HTTPServerLifecycleTests {
    @Test("port 0 is replaced by the bound port")
    func ephemeralPort() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: Router(), logger: .disabled)
        #expect(server.port == 0)
        try server.start()
        #expect(server.port > 0)
        await server.stop()
    }

    @Test("address in use is reported with host and port")
    func addressInUse() async throws {
        let first = HTTPServer(configuration: HTTPServerConfiguration(), responder: Router(), logger: .disabled)
        try first.start()
        let second = HTTPServer(configuration: HTTPServerConfiguration(port: first.port), responder: Router(), logger: .disabled)
        let error = #expect(throws: HTTPServerError.self) { try second.start() }
        #expect(error?.code == .addressInUse)
        #expect(error?.reason.contains("127.0.0.1:\(first.port)") == true)
        await first.stop()
    }

    @Test("event loops report address in use")
    func eventLoopsAddressInUse() async throws {
        let configuration = HTTPServerConfiguration(concurrency: .eventLoops(2))
        let first = HTTPServer(configuration: configuration, streamingResponder: FixedLoopResponder(), logger: .disabled)
        try first.start()
        var second = configuration
        second.port = first.port
        // Both would set SO_REUSEPORT, which lets the kernel accept the second bind.
        let error = #expect(throws: HTTPServerError.self) {
            try HTTPServer(configuration: second, streamingResponder: FixedLoopResponder(), logger: .disabled).start()
        }
        #expect(error?.code == .addressInUse)
        #expect(error?.reason.contains("127.0.0.1:\(first.port)") == true)
        await first.stop()
    }

    @Test("invalid configuration is rejected before binding")
    func invalidConfiguration() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 70000), responder: Router(), logger: .disabled)
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("second start is rejected")
    func secondStart() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: Router(), logger: .disabled)
        try server.start()
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        #expect(error?.code == .alreadyStarted)
        await server.stop()
    }

    @Test("stop waits for an in-flight request")
    func stopWaitsForInFlight() async throws {
        let entered = Gate()
        let release = Gate()
        let events = LockedValue<[String]>([])
        var router = Router()
        router.get("/slow") { _ in
            await entered.open()
            await release.wait()
            events.withLock { $0.append("handler finished") }
            return .text("finished")
        }
        let logs = InMemoryLogHandler()
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: router, logger: Logger(label: "test", handler: logs))
        try server.start()
        let url = URL(string: "http://127.0.0.1:\(server.port)/slow")!

        async let response = HTTPClient().send(HTTPClientRequest(url: url))
        await entered.wait()
        async let stopping: Void = {
            await server.stop()
            events.withLock { $0.append("server stopped") }
        }()
        try await Task.sleep(for: .milliseconds(100))
        await release.open()

        #expect(try await response.text == "finished")
        await stopping
        #expect(events.current == ["handler finished", "server stopped"])
        #expect(server.port == 0)
    }

    @Test("draining server closes new connections")
    func drainingClosesNewConnections() async throws {
        let entered = Gate()
        let release = Gate()
        var router = Router()
        router.get("/slow") { _ in
            await entered.open()
            await release.wait()
            return .text("finished")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: router, logger: .disabled)
        try server.start()
        let port = server.port
        async let response = HTTPClient().send(HTTPClientRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/slow"))))
        await entered.wait()
        async let stopping: Void = server.stop()
        try await Task.sleep(for: .milliseconds(100))

        // A request is sent so that a server still serving would reply.
        let late = try await onThread {
            let socket = try BlockingSocket(port: port)
            try? socket.send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return (try? socket.readToEnd()) ?? []
        }
        #expect(late.isEmpty, "response: \(String(decoding: late, as: UTF8.self))")

        await release.open()
        #expect(try await response.text == "finished")
        await stopping
    }

    @Test("stop closes the listening socket")
    func stopClosesListeningSocket() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(threadCount: 4), responder: Router(), logger: .disabled)
        try server.start()
        let port = server.port
        let descriptor = try #require(server.listeningDescriptor)
        #expect(Self.isListening(descriptor, port: port))
        await server.stop()
        // The descriptor itself is checked, not a connection to the port, because a server
        // of a test running in parallel may bind the freed port at once. A closed descriptor
        // fails getsockname, and one reused since then is not listening on this port.
        #expect(!Self.isListening(descriptor, port: port))
    }

    /// Returns whether `descriptor` is a listening socket bound to `port`.
    private static func isListening(_ descriptor: Int32, port: Int) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else { return false }
        var address = sockaddr_storage()
        var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &addressLength) }
        }
        guard named == 0, address.ss_family == sa_family_t(AF_INET) else { return false }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port } }
        return Int(UInt16(bigEndian: bound)) == port
    }

    @Test("stop abandons a handler after the grace period")
    func stopAbandonsAfterGrace() async throws {
        var router = Router()
        let entered = Gate()
        router.get("/stuck") { _ in
            await entered.open()
            try await Task.sleep(for: .seconds(30))
            return .text("too late")
        }
        let logs = InMemoryLogHandler()
        let configuration = HTTPServerConfiguration(shutdownGracePeriod: 0.2)
        let server = HTTPServer(configuration: configuration, responder: router, logger: Logger(label: "test", handler: logs))
        try server.start()
        let url = URL(string: "http://127.0.0.1:\(server.port)/stuck")!

        async let response = HTTPClient().send(HTTPClientRequest(url: url, timeout: 5))
        await entered.wait()
        let started = ContinuousClock.now
        await server.stop()
        // The handler never finishes, so only abandoning it after the grace period lets stop() return.
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(logs.entries.contains { $0.message == "handler abandoned at shutdown" })
        // The 503 may or may not be flushed before the daemon closes the connection.
        if let answered = try? await response {
            #expect(answered.status == 503)
        }
    }

    @Test("stop before start does nothing")
    func stopBeforeStart() async {
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: Router(), logger: .disabled)
        await server.stop()
        #expect(server.port == 0)
    }
}

/// A loop responder that returns 204 for every request.
private struct FixedLoopResponder: HTTPLoopResponder {
    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        .respond(HTTPResponse(status: 204))
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        body.discard()
        return HTTPResponse(status: 204)
    }
}
