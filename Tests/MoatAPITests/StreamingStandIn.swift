import Foundation
import MoatCore
import MoatHTTP
import MoatJSON

/// An OpenAI-compatible chat-completions stand-in on 127.0.0.1 that streams
/// its reply as server-sent events, one scripted piece per chunk, the way
/// `"stream": true` endpoints do, and notices when its reader goes away.
final class StreamingChatStandIn: HTTPStreamingResponder, Sendable {
    /// What happened to one streamed reply.
    enum Ending: Equatable, Sendable {
        case completed
        /// A write failed because the client closed the connection.
        case cancelled(afterPieces: Int)
    }

    let pieces: [String]
    /// Pieces sent before the stand-in waits for ``resume()``; nil never waits.
    let pauseAfter: Int?
    /// Pause between two pieces, in milliseconds.
    let delayMilliseconds: Int
    let usage: (prompt: Int, completion: Int)
    private let gate = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)
    private let received = LockedValue<[JSONValue]>([])
    private let endings = LockedValue<[Ending]>([])

    init(pieces: [String], pauseAfter: Int? = nil, delayMilliseconds: Int = 0, usage: (prompt: Int, completion: Int) = (42, 7)) {
        self.pieces = pieces
        self.pauseAfter = pauseAfter
        self.delayMilliseconds = delayMilliseconds
        self.usage = usage
    }

    /// The JSON bodies of the requests so far.
    var requests: [JSONValue] { received.current }

    /// Lets a paused reply continue.
    func resume() {
        gate.signal()
    }

    /// Waits up to `seconds` for a reply to end and returns how it ended.
    func waitForEnding(seconds: Double = 10) -> Ending? {
        guard ended.wait(timeout: .now() + seconds) == .success else { return nil }
        return endings.current.last
    }

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        let data = (try? await body.collect(limit: 1 << 20)) ?? Data()
        let json = (try? JSONValue.parse(data)) ?? .null
        received.withLock { $0.append(json) }
        let stream = HTTPBodyStream()
        let includeUsage = json["stream_options"]?["include_usage"] == .bool(true)
        Thread.detachNewThread { [self] in
            endings.withLock { $0.append(send(to: stream, includeUsage: includeUsage)) }
            ended.signal()
        }
        var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
        response.bodyStream = stream
        return response
    }

    private func send(to stream: HTTPBodyStream, includeUsage: Bool) -> Ending {
        for (index, piece) in pieces.enumerated() {
            if index == pauseAfter {
                _ = gate.wait(timeout: .now() + 60)
            }
            let chunk: JSONValue = [
                "id": "chatcmpl-stream", "object": "chat.completion.chunk",
                "choices": [["index": 0, "delta": ["content": .string(piece)], "finish_reason": .null]],
            ]
            guard Self.write(chunk, to: stream) else { return .cancelled(afterPieces: index) }
            if delayMilliseconds > 0 {
                Thread.sleep(forTimeInterval: Double(delayMilliseconds) / 1000)
            }
        }
        let last: JSONValue = [
            "id": "chatcmpl-stream", "object": "chat.completion.chunk",
            "choices": [["index": 0, "delta": [:], "finish_reason": "stop"]],
        ]
        guard Self.write(last, to: stream) else { return .cancelled(afterPieces: pieces.count) }
        if includeUsage {
            let usageChunk: JSONValue = [
                "id": "chatcmpl-stream", "object": "chat.completion.chunk", "choices": [],
                "usage": ["prompt_tokens": .integer(Int64(usage.prompt)), "completion_tokens": .integer(Int64(usage.completion))],
            ]
            guard Self.write(usageChunk, to: stream) else { return .cancelled(afterPieces: pieces.count) }
        }
        guard stream.write(Data("data: [DONE]\n\n".utf8)) else { return .cancelled(afterPieces: pieces.count) }
        stream.finish()
        return .completed
    }

    private static func write(_ chunk: JSONValue, to stream: HTTPBodyStream) -> Bool {
        stream.write(Data("data: ".utf8) + chunk.serialized() + Data("\n\n".utf8))
    }
}

/// Starts `standIn` on an ephemeral loopback port, runs `body` with the
/// chat-completions URL, then stops the server.
func withStreamingStandIn<Result>(_ standIn: StreamingChatStandIn, _ body: (URL) async throws -> Result) async throws -> Result {
    let server = HTTPServer(configuration: HTTPServerConfiguration(shutdownGracePeriod: 1), streamingResponder: standIn, logger: .disabled)
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

/// Splits `text` into pieces of `size` characters, the way a model streams tokens.
func tokenPieces(_ text: String, size: Int = 4) -> [String] {
    var pieces: [String] = []
    var rest = Substring(text)
    while !rest.isEmpty {
        pieces.append(String(rest.prefix(size)))
        rest = rest.dropFirst(size)
    }
    return pieces
}
