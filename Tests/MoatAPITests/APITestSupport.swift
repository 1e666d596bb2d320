import Foundation
import MoatCore
import MoatHTTP

@testable import MoatData

/// Returns a passage of an internal document, numbered by its position in the list handed to an answerer.
func passage(_ text: String, title: String = "Travel policy", page: Int? = nil, documentID: String = "doc-1") -> Passage {
    Passage(
        documentID: documentID, path: "\(documentID).md", title: title, page: page, section: nil,
        text: text, score: 1, classification: .internal
    )
}

/// An OpenAI-compatible chat-completions stand-in on 127.0.0.1 that records each request
/// and replies with the response its `reply` closure builds.
final class ChatCompletionsStandIn: HTTPResponder, Sendable {
    private let received = LockedValue<[HTTPRequest]>([])
    private let reply: @Sendable (HTTPRequest) -> HTTPResponse

    init(reply: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.reply = reply
    }

    /// Replies 200 with one choice whose message content is `content`.
    convenience init(content: String) {
        self.init { _ in
            let body: [String: Any] = [
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            ]
            return .json(data: try! JSONSerialization.data(withJSONObject: body))
        }
    }

    var requests: [HTTPRequest] { received.current }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        received.withLock { $0.append(request) }
        return reply(request)
    }
}

/// Starts `standIn` on an ephemeral loopback port, runs `body` with the
/// endpoint URL, then stops the server.
func withStandIn<Result>(
    _ standIn: ChatCompletionsStandIn,
    _ body: (URL) async throws -> Result
) async throws -> Result {
    let server = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), responder: standIn, logger: .disabled)
    try server.start()
    let endpoint = URL(string: "http://127.0.0.1:\(server.port)/v1/chat/completions")!
    do {
        let result = try await body(endpoint)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
