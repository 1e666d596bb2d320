import Foundation
import MoatData

/// An answer with the passages it cites.
public struct Answer: Sendable {
    public var text: String
    /// 1-based indexes into the passages handed to the answerer.
    public var citedPassages: [Int]
    /// Model deployment name for the audit log, `extractive` for the built-in answerer.
    public var model: String
    /// Tokens the model reported for the prompt and the completion; nil when it reports none.
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(text: String, citedPassages: [Int], model: String, promptTokens: Int? = nil, completionTokens: Int? = nil) {
        self.text = text
        self.citedPassages = citedPassages
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// Turns a question and the passages the user may read into an answer.
public protocol Answerer: Sendable {
    /// Highest classification that may be sent to this answerer.
    var clearance: Classification { get }
    var modelName: String { get }
    /// Answers from `passages`. `canary` is a per-request secret that a model
    /// answerer places in its system prompt, so that an answer repeating the
    /// system prompt can be caught; answerers without a prompt ignore it.
    func answer(question: String, passages: [Passage], canary: String) async throws -> Answer
}

/// Streaming answers, for `Accept: text/event-stream` requests.
public protocol StreamingAnswerer: Answerer {
    /// Answers from `passages` like ``Answerer/answer(question:passages:canary:)``,
    /// calling `onDelta` with each piece of the text, in order, as the model
    /// produces it, and returns the whole answer once the model is done.
    ///
    /// `onDelta` runs on whatever thread receives the piece and returns false
    /// when the reader has gone away; the answerer then stops the model call.
    ///
    /// - Throws: `CancellationError` when `onDelta` returned false or the task
    ///   was cancelled; ``ModelError`` when the model call fails.
    func streamAnswer(
        question: String, passages: [Passage], canary: String, onDelta: @escaping @Sendable (String) -> Bool
    ) async throws -> Answer
}

extension Answerer {
    /// Streams with ``StreamingAnswerer/streamAnswer(question:passages:canary:onDelta:)``
    /// when the answerer supports it, and otherwise sends the whole answer as one delta.
    func streamedAnswer(
        question: String, passages: [Passage], canary: String, onDelta: @escaping @Sendable (String) -> Bool
    ) async throws -> Answer {
        if let streaming = self as? any StreamingAnswerer {
            return try await streaming.streamAnswer(question: question, passages: passages, canary: canary, onDelta: onDelta)
        }
        let answer = try await answer(question: question, passages: passages, canary: canary)
        guard onDelta(answer.text) else { throw CancellationError() }
        return answer
    }
}
