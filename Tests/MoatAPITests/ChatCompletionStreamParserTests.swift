import Foundation
import Testing

@testable import MoatAPI

@Suite("Chat-completions stream parser")
struct ChatCompletionStreamParserTests {
    /// Feeds `body` in pieces of `size` bytes and returns every event, including those at the end.
    static func events(_ body: String, pieceSize: Int) throws -> [ChatCompletionStreamParser.Event] {
        var parser = ChatCompletionStreamParser()
        var events: [ChatCompletionStreamParser.Event] = []
        let bytes = Array(body.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + pieceSize, bytes.count)
            events += try parser.feed(Data(bytes[start..<end]))
            start = end
        }
        return events + (try parser.finish())
    }

    static let body = """
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Grüße, "}}]}

        : keep-alive comment

        data: {"choices":[{"index":0,"delta":{"content":"Welt [1]"},"finish_reason":null}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":5,"total_tokens":16}}

        data: [DONE]


        """

    static let expected: [ChatCompletionStreamParser.Event] = [
        .content("Grüße, "), .content("Welt [1]"), .finished(reason: "stop"), .usage(prompt: 11, completion: 5), .done,
    ]

    @Test("events are the same for any piece size", arguments: [1, 2, 7, 64, 4096])
    func anyPieceSize(size: Int) throws {
        #expect(try Self.events(Self.body, pieceSize: size) == Self.expected)
    }

    @Test("CRLF and CR line breaks are accepted")
    func otherLineBreaks() throws {
        let crlf = Self.body.replacingOccurrences(of: "\n", with: "\r\n")
        let cr = Self.body.replacingOccurrences(of: "\n", with: "\r")
        #expect(try Self.events(crlf, pieceSize: 3) == Self.expected)
        #expect(try Self.events(cr, pieceSize: 3) == Self.expected)
    }

    @Test("data lines of one event are joined")
    func multilineData() throws {
        let body = "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"hi\"}}]}\n\n"
        #expect(try Self.events(body, pieceSize: 5) == [.content("hi")])
    }

    @Test("event without final blank line is dispatched at the end")
    func trailingEvent() throws {
        #expect(try Self.events("data: [DONE]", pieceSize: 4) == [.done])
    }

    @Test("error object becomes an error event")
    func errorObject() throws {
        let body = "data: {\"error\":{\"message\":\"context length exceeded\"}}\n\n"
        #expect(try Self.events(body, pieceSize: 10) == [.error("context length exceeded")])
    }

    @Test("data that is not JSON is a model error")
    func invalidJSON() {
        #expect(throws: ModelError.self) {
            _ = try Self.events("data: {not json\n\n", pieceSize: 8)
        }
    }
}
