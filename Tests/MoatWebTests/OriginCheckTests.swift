import Foundation
import MoatHTTP
import Testing

@testable import MoatWeb

/// The same-origin check before the anti-forgery token of state-changing requests.
@Suite("origin check")
struct OriginCheckTests {
    static let expected = "http://127.0.0.1:8080"

    static func request(_ headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: "POST", target: "/api/chat", headers: HTTPHeaders(headers), body: Data(), requestID: "r1")
    }

    static func rejection(_ headers: [(String, String)]) -> ProblemDetails? {
        OriginCheck.rejection(request(headers), expected: expected, setting: "web.public_base_url")
    }

    @Test("same origin passes", arguments: [
        [("Origin", expected)],
        [("Referer", expected)],
        [("Referer", expected + "/chat")],
        [],
    ])
    func sameOriginPasses(headers: [(String, String)]) {
        #expect(Self.rejection(headers) == nil)
    }

    @Test("foreign Origin names value and fix")
    func foreignOriginRejected() throws {
        let problem = try #require(Self.rejection([("Origin", "http://127.0.0.1:9090"), ("Referer", Self.expected + "/")]))
        let detail = problem.detail ?? ""

        #expect(problem.status == 403)
        #expect(problem.code == "origin_mismatch")
        #expect(detail.contains("Origin http://127.0.0.1:9090"))
        #expect(detail.contains(Self.expected))
        #expect(detail.contains("web.public_base_url"))
    }

    @Test("foreign Referer without Origin rejected")
    func foreignRefererRejected() throws {
        // A prefix of the expected origin with another port must not pass as a path below it.
        let problem = try #require(Self.rejection([("Referer", Self.expected + "0/chat")]))

        #expect(problem.code == "origin_mismatch")
        #expect(problem.detail?.contains("Referer") == true)
    }

    @Test("long header value is shortened in detail")
    func longValueShortened() throws {
        let origin = "https://" + String(repeating: "a", count: 1000) + ".example"
        let problem = try #require(Self.rejection([("Origin", origin)]))
        let detail = problem.detail ?? ""

        #expect(!detail.contains(origin))
        #expect(detail.contains(String(origin.prefix(OriginCheck.maxEchoedLength))))
    }
}
