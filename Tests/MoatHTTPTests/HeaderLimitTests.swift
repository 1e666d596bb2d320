import Foundation
import MoatCore
import Testing

@testable import MoatHTTP

/// Responds to every request with 200 "ok" on the event loop.
private struct OKResponder: HTTPLoopResponder {
    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision {
        .respond(.text("ok"))
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        body.discard()
        return .text("ok")
    }
}

/// The server kinds whose header limit is checked: buffered, and streaming on event loops.
enum ServerKind: String, CaseIterable, Sendable {
    case buffered
    case eventLoops

    func start() throws -> HTTPServer {
        let server: HTTPServer
        switch self {
        case .buffered:
            var router = Router()
            router.get("/hello") { _ in .text("ok") }
            server = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), responder: router, logger: .disabled)
        case .eventLoops:
            server = HTTPServer(
                configuration: HTTPServerConfiguration(shutdownGracePeriod: 1, concurrency: .eventLoops(2)),
                streamingResponder: OKResponder(), logger: .disabled
            )
        }
        try server.start()
        return server
    }
}

@Suite("Header limit")
struct HeaderLimitTests {
    /// Splits a raw response into its head and body.
    private static func parts(_ raw: String) -> (head: String, body: String) {
        guard let end = raw.range(of: "\r\n\r\n") else { return (raw, "") }
        return (String(raw[..<end.lowerBound]), String(raw[end.upperBound...]))
    }

    @Test("oversized Authorization gets 431 problem", arguments: ServerKind.allCases)
    func oversizedAuthorization(kind: ServerKind) async throws {
        let server = try kind.start()
        // 23.5 KB, the size of a token with many group claims; the default limit is 16 KiB.
        let token = String(repeating: "t", count: 23_500)
        let raw = try await RawHTTP.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n")
        await server.stop()

        let (head, body) = Self.parts(raw)
        #expect(RawHTTP.status(of: head) == 431)
        #expect(head.contains("Content-Type: application/problem+json"))
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(problem["status"] as? Int == 431)
        #expect(problem["code"] as? String == "header_fields_too_large")
        let detail = try #require(problem["detail"] as? String)
        #expect(detail.contains("16384"))
        #expect(detail.contains("Authorization"))
    }

    @Test("head at the limit is accepted", arguments: ServerKind.allCases)
    func headWithinLimit(kind: ServerKind) async throws {
        let server = try kind.start()
        let filler = String(repeating: "f", count: 15 * 1024)
        let raw = try await RawHTTP.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\nConnection: close\r\n\r\n")
        await server.stop()
        #expect(RawHTTP.status(of: raw) == 200)
    }

    @Test("long request line gets 414 problem", arguments: ServerKind.allCases)
    func longRequestLine(kind: ServerKind) async throws {
        let server = try kind.start()
        let path = "/hello?q=" + String(repeating: "q", count: 20 * 1024)
        let raw = try await RawHTTP.exchange(port: server.port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        await server.stop()

        let (head, body) = Self.parts(raw)
        #expect(RawHTTP.status(of: head) == 414)
        #expect(head.contains("Content-Type: application/problem+json"))
        #expect(body.contains("\"code\":\"uri_too_long\""))
    }
}
