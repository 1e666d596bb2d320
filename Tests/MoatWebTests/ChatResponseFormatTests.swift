import Foundation
import MoatHTTP
import Testing

@testable import MoatWeb

/// Which `Accept` values make the web tier ask the api for a stream.
@Suite("chat response format")
struct ChatResponseFormatTests {
    static func request(accept values: [String]) -> HTTPRequest {
        HTTPRequest(method: "POST", target: "/api/chat", headers: HTTPHeaders(values.map { ("Accept", $0) }), body: Data(), requestID: "r1")
    }

    @Test("Accept values choose the format", arguments: [
        (["text/event-stream"], ChatResponseFormat.eventStream),
        (["text/event-stream, application/json"], .eventStream),
        (["application/json;q=0.5, Text/Event-Stream;q=1"], .eventStream),
        (["application/json", "text/event-stream"], .eventStream),
        (["application/json"], .json),
        (["*/*"], .json),
        (["text/event-streamx"], .json),
        ([], .json),
    ])
    func acceptChoosesFormat(values: [String], expected: ChatResponseFormat) {
        #expect(ChatResponseFormat.requested(by: Self.request(accept: values)) == expected)
    }

    @Test("format sends the matching Accept to the api")
    func acceptHeaderMatchesFormat() {
        #expect(ChatResponseFormat.eventStream.acceptHeader == "text/event-stream")
        #expect(ChatResponseFormat.json.acceptHeader == "application/json")
    }
}
