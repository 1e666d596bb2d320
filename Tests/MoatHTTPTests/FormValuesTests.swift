import Foundation
import Testing

@testable import MoatHTTP

@Suite("HTTPRequest form values")
struct FormValuesTests {
    private static func request(contentType: String?, body: String) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let contentType {
            headers.add("Content-Type", contentType)
        }
        return HTTPRequest(method: "POST", target: "/", headers: headers, body: Data(body.utf8))
    }

    private static func problem(_ request: HTTPRequest) -> ProblemDetails? {
        do {
            _ = try request.formValues()
            return nil
        } catch {
            return error as? ProblemDetails
        }
    }

    @Test("form body is decoded")
    func decodes() throws {
        let values = try Self.request(contentType: "application/x-www-form-urlencoded", body: "a=1&b=x+y%21&c=").formValues()
        #expect(values == ["a": "1", "b": "x y!", "c": ""])
    }

    @Test("media type matches case-insensitively with a UTF-8 charset")
    func contentTypeParameters() throws {
        let values = try Self.request(contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8", body: "a=1").formValues()
        #expect(values == ["a": "1"])
    }

    @Test("other content type gets 415", arguments: [nil, "application/json", "text/plain", "application/x-www-form-urlencoded; charset=iso-8859-1"])
    func wrongContentType(contentType: String?) {
        let problem = Self.problem(Self.request(contentType: contentType, body: "a=1"))
        #expect(problem?.status == 415)
        #expect(problem?.code == "unsupported_media_type")
    }

    @Test("duplicate field name gets 400")
    func duplicateName() {
        let problem = Self.problem(Self.request(contentType: "application/x-www-form-urlencoded", body: "role=user&role=admin"))
        #expect(problem?.status == 400)
        #expect(problem?.code == "invalid_form")
    }

    @Test("invalid percent-escape gets 400")
    func invalidEscape() {
        let problem = Self.problem(Self.request(contentType: "application/x-www-form-urlencoded", body: "a=%zz"))
        #expect(problem?.code == "invalid_form")
    }

    @Test("body that is not UTF-8 gets 400")
    func invalidUTF8() {
        var request = Self.request(contentType: "application/x-www-form-urlencoded", body: "")
        request.body = Data([0x61, 0x3D, 0xFF])
        #expect(Self.problem(request)?.code == "invalid_form")
    }
}
