import Foundation
import MoatCore
import MoatTestSupport
import Testing

@testable import MoatHTTP

@Suite("HTTPServer limits")
struct HTTPServerLimitsTests {
    private static func router() -> Router {
        var router = Router()
        router.post("/upload") { request in .text("\(request.body.count)") }
        router.get("/hello") { _ in .text("hello") }
        return router
    }

    private static let smallBody = HTTPServerConfiguration(maxBodyBytes: 1024, shutdownGracePeriod: 1)

    @Test("body within the limit reaches the handler")
    func bodyWithinLimit() async throws {
        try await withServer(Self.router(), configuration: Self.smallBody) { server in
            let response = try await server.send("POST", "/upload", body: Data(repeating: 0x61, count: 1024))
            #expect(response.status == 200)
            #expect(response.text == "1024")
        }
    }

    @Test("announced body over the limit gets 413 problem")
    func announcedBodyTooLarge() async throws {
        try await withServer(Self.router(), configuration: Self.smallBody) { server in
            let response = try await server.send("POST", "/upload", body: Data(repeating: 0x61, count: 1025))
            #expect(response.status == 413)
            #expect(response.headers["Content-Type"] == "application/problem+json")
            #expect(try response.jsonObject()["code"] as? String == "payload_too_large")
        }
    }

    @Test("announced body over the limit is rejected before it is sent")
    func announcedBodyRejectedEarly() async throws {
        try await withServer(Self.router(), configuration: Self.smallBody) { server in
            // Only the head is sent; the 413 must arrive without waiting for the body.
            let head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
            // The body is never sent, so a 413 at all proves the server did not wait for it.
            let raw = try await RawHTTP.exchange(port: server.port, head)
            #expect(RawHTTP.status(of: raw) == 413)
        }
    }

    @Test("chunked body over the limit closes the connection")
    func chunkedBodyTooLarge() async throws {
        try await withServer(Self.router(), configuration: Self.smallBody) { server in
            let chunk = String(repeating: "a", count: 2048)
            let request = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n\(chunk)\r\n0\r\n\r\n"
            let raw = try await RawHTTP.exchange(port: server.port, request)
            #expect(RawHTTP.status(of: raw) == nil)
            let aborted = await server.logEntry { $0.message == "request aborted" }
            #expect(aborted?.metadata["moat.http.termination"] == "body_too_large")
        }
    }

    @Test("header block within the limit is accepted")
    func headerWithinLimit() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/hello", headers: [("X-Filler", String(repeating: "b", count: 12 * 1024))])
            #expect(response.status == 200)
        }
    }

    @Test("oversized header block is rejected with 431")
    func headerTooLarge() async throws {
        try await withServer(Self.router()) { server in
            let filler = String(repeating: "b", count: 40 * 1024)
            let raw = try await RawHTTP.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 431)
            #expect(raw.contains("Content-Type: application/problem+json"))
        }
    }

    @Test("oversized request line is rejected with 414")
    func requestLineTooLong() async throws {
        try await withServer(Self.router()) { server in
            let path = "/" + String(repeating: "p", count: 40 * 1024)
            let raw = try await RawHTTP.exchange(port: server.port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 414)
            #expect(raw.contains("\"code\":\"uri_too_long\""))
        }
    }

    @Test("head rejected by libmicrohttpd is logged as aborted")
    func oversizedHeadLogged() async throws {
        try await withServer(Self.router()) { server in
            // Larger than libmicrohttpd's per-connection pool, so the server never sees the head whole.
            let filler = String(repeating: "b", count: 100 * 1024)
            _ = try await RawHTTP.exchange(port: server.port, "GET /hello?token=query-secret HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\n\r\n")
            let aborted = try #require(await server.logEntry { $0.message == "request aborted" })
            #expect(aborted.metadata["moat.http.path"] == "/hello")
            #expect(aborted.metadata["moat.http.remote"] == "127.0.0.1")
            #expect(aborted.metadata["moat.request.id"]?.count == 32)
        }
    }

    @Test("idle connection is closed after the timeout")
    func idleTimeout() async throws {
        let configuration = HTTPServerConfiguration(connectionTimeout: 1, shutdownGracePeriod: 1)
        try await withServer(Self.router(), configuration: configuration) { server in
            // An unfinished head: the server must give up on it, not wait for the rest.
            let (raw, closedByServer) = try await RawHTTP.exchangeUntilClosed(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\n")
            #expect(raw.isEmpty)
            #expect(closedByServer)
            let aborted = await server.logEntry { $0.message == "request aborted" }
            #expect(aborted?.metadata["moat.http.termination"] == "timeout")
        }
    }

    @Test("connection over the limit is refused")
    func connectionLimit() async throws {
        let configuration = HTTPServerConfiguration(maxConnections: 1, shutdownGracePeriod: 1)
        try await withServer(Self.router(), configuration: configuration) { server in
            // The first connection sends half a head and stays open, using up the limit.
            // Its connect completes first, so the server accepts it before the second.
            let occupying = try BlockingSocket(port: server.port)
            try occupying.send("GET /hello HTTP/1.1\r\n")
            await #expect(throws: HTTPClientError.self) {
                try await server.send("GET", "/hello", timeout: 1)
            }
            // Released only here, so the first connection stays open during the second request.
            withExtendedLifetime(occupying) {}
        }
    }
}
