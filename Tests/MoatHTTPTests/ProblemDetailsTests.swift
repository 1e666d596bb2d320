import Foundation
import Testing

@testable import MoatHTTP

@Suite("ProblemDetails")
struct ProblemDetailsTests {
    @Test("response carries every RFC 9457 member plus code and request id")
    func members() throws {
        var problem = ProblemDetails.unauthorized(code: "invalid_token", "token expired")
        problem.instance = "/v1/documents/7"
        problem.extensions = ["realm": "moat"]
        let response = problem.response(requestID: "req-9")
        let json = try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(json["type"] as? String == "about:blank")
        #expect(json["title"] as? String == "Unauthorized")
        #expect(json["status"] as? Int == 401)
        #expect(json["detail"] as? String == "token expired")
        #expect(json["instance"] as? String == "/v1/documents/7")
        #expect(json["code"] as? String == "invalid_token")
        #expect(json["request_id"] as? String == "req-9")
        #expect(json["realm"] as? String == "moat")
    }

    @Test("response is problem JSON and not cacheable")
    func headers() {
        let response = ProblemDetails.notFound().response(requestID: "r")
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test("absent detail and instance are omitted")
    func optionalMembers() throws {
        let response = ProblemDetails.forbidden().response(requestID: "r")
        let json = try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(json["detail"] == nil)
        #expect(json["instance"] == nil)
    }

    @Test("extension cannot override a standard member")
    func extensionCollision() throws {
        var problem = ProblemDetails.badRequest("x")
        problem.extensions = ["status": "200", "code": "ok"]
        let json = try #require(JSONSerialization.jsonObject(with: problem.response(requestID: "r").body) as? [String: Any])
        #expect(json["status"] as? Int == 400)
        #expect(json["code"] as? String == "bad_request")
    }

    @Test("keys are sorted")
    func sortedKeys() {
        let body = String(decoding: ProblemDetails.badRequest("d").response(requestID: "r").body, as: UTF8.self)
        #expect(body == #"{"code":"bad_request","detail":"d","request_id":"r","status":400,"title":"Bad Request","type":"about:blank"}"#)
    }
}

@Suite("HTTPResponse")
struct HTTPResponseTests {
    @Test("json encodes with sorted keys")
    func jsonSorted() {
        let response = HTTPResponse.json(["b": 1, "a": 2], status: 201)
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":2,"b":1}"#)
    }

    @Test("json encoding failure becomes a 500 problem")
    func jsonFailure() {
        let response = HTTPResponse.json(["x": Double.nan])
        #expect(response.status == 500)
        #expect(response.failure != nil)
    }

    @Test("html and text set UTF-8 content types")
    func textTypes() {
        #expect(HTTPResponse.html("<p>").headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(HTTPResponse.text("t").headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test("redirect defaults to 303 with Location")
    func redirect() {
        let response = HTTPResponse.redirect(to: "/login")
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/login")
    }
}
