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
}
