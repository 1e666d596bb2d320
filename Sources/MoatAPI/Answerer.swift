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
