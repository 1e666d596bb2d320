import Foundation
import MoatCore
import Testing

@testable import MoatHTTP

@Suite("HTTPServer routing")
struct HTTPServerRoutingTests {
    private static func router() -> Router {
        var router = Router()
        router.get("/hello") { _ in .text("hello") }
        router.post("/hello") { _ in .text("posted", status: 201) }
        router.get("/v1/documents/:id") { request in
            .text("document \(request.pathParameters["id"] ?? "-")")
        }
        router.get("/search") { request in
            let names = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            return .text(names)
        }
        router.post("/form") { request in
            let values = try request.formValues()
            return .json(values)
        }
        router.get("/cookies") { request in
            .json(request.cookies)
        }
        return router
    }

    @Test("registered route answers")
    func registeredRoute() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/hello")
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        }
    }

    @Test("unknown path gets 404 problem")
    func unknownPath() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/nowhere")
            #expect(response.status == 404)
            #expect(response.headers["Content-Type"] == "application/problem+json")
            #expect(try response.jsonObject()["code"] as? String == "not_found")
        }
    }

    @Test("other method gets 405 with Allow")
    func methodNotAllowed() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("DELETE", "/hello")
            #expect(response.status == 405)
            #expect(response.headers["Allow"] == "GET, HEAD, POST")
            #expect(try response.jsonObject()["code"] as? String == "method_not_allowed")
        }
    }

    @Test("HEAD is answered by the GET route without a body")
    func headUsesGet() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("HEAD", "/hello")
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.headers["Content-Length"] == "5")
        }
    }

    @Test("path parameter is decoded")
    func pathParameter() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/v1/documents/caf%C3%A9")
            #expect(response.text == "document café")
        }
    }

    @Test("query items keep order and decode")
    func queryItems() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/search?q=a+b&tag=x%26y&tag=z&flag")
            #expect(response.text == "q=a b,tag=x&y,tag=z,flag=")
        }
    }

    @Test("form body is parsed")
    func formBody() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send(
                "POST", "/form", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data("name=J%C3%BCrg&note=a+b".utf8)
            )
            #expect(response.status == 200)
            #expect(response.text == #"{"name":"Jürg","note":"a b"}"#)
        }
    }

    @Test("form with wrong content type gets 415")
    func formWrongContentType() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("POST", "/form", headers: [("Content-Type", "application/json")], body: Data("{}".utf8))
            #expect(response.status == 415)
            #expect(try response.jsonObject()["code"] as? String == "unsupported_media_type")
        }
    }

    @Test("cookies are parsed from the Cookie header")
    func cookies() async throws {
        try await withServer(Self.router()) { server in
            let response = try await server.send("/cookies", headers: [("Cookie", "sid=abc; theme=dark; sid=second")])
            #expect(response.text == #"{"sid":"abc","theme":"dark"}"#)
        }
    }

    @Test("bad percent-escape in path gets 400 before routing")
    func badPercentEscape() async throws {
        try await withServer(Self.router()) { server in
            let raw = try await RawHTTP.exchange(port: server.port, "GET /hello%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 400)
            #expect(raw.contains(#""code":"invalid_target""#))
        }
    }

    @Test("path decoding to invalid UTF-8 gets 400")
    func invalidUTF8Path() async throws {
        try await withServer(Self.router()) { server in
            let raw = try await RawHTTP.exchange(port: server.port, "GET /hello%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 400)
        }
    }

    @Test("path decoding to NUL gets 400")
    func nulPath() async throws {
        try await withServer(Self.router()) { server in
            let raw = try await RawHTTP.exchange(port: server.port, "GET /hello%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(RawHTTP.status(of: raw) == 400)
        }
    }
}
