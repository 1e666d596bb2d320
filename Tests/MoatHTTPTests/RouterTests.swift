import Foundation
import Testing

@testable import MoatHTTP

@Suite("Router")
struct RouterTests {
    private struct Failure: Error {}

    private static func router() -> Router {
        var router = Router()
        router.get("/v1/documents/:id") { request in .text("id \(request.pathParameters["id"] ?? "")") }
        router.get("/v1/documents/search") { _ in .text("search") }
        router.delete("/v1/documents/:id") { _ in HTTPResponse(status: 204) }
        router.get("/v1/:kind/:id/raw") { request in .text("\(request.pathParameters["kind"] ?? "") raw") }
        router.get("/fail") { _ in throw Failure() }
        return router
    }

    private static func respond(_ method: String, _ target: String) async -> HTTPResponse {
        await router().respond(to: HTTPRequest(method: method, target: target, requestID: "rid"))
    }

    @Test("literal segment wins over a parameter")
    func literalPrecedence() async {
        #expect(String(decoding: await Self.respond("GET", "/v1/documents/search").body, as: UTF8.self) == "search")
        #expect(String(decoding: await Self.respond("GET", "/v1/documents/42").body, as: UTF8.self) == "id 42")
    }

    @Test("parameters bind by name")
    func parameters() async {
        #expect(String(decoding: await Self.respond("GET", "/v1/files/7/raw").body, as: UTF8.self) == "files raw")
    }

    @Test("segments match exactly", arguments: ["/v1/documents", "/v1/documents/42/extra", "/v1/documents/", "/V1/documents/42"])
    func exactMatch(target: String) async {
        #expect(await Self.respond("GET", target).status == 404)
    }

    @Test("known path with other method gets 405 and Allow")
    func methodNotAllowed() async {
        let response = await Self.respond("PUT", "/v1/documents/42")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "DELETE, GET, HEAD")
    }

    @Test("HEAD is routed to GET")
    func head() async {
        #expect(await Self.respond("HEAD", "/v1/documents/42").status == 200)
    }

    @Test("other error becomes 500 without its description")
    func otherError() async {
        let response = await Self.respond("GET", "/fail")
        #expect(response.status == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("Failure"))
        #expect(response.failure?.contains("Failure") == true)
    }
}
