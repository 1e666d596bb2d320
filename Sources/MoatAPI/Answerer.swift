import Foundation
import MoatData

/// An answer with the passages it cites.
public struct Answer: Sendable {
    public var text: String
    /// 1-based indexes into the passages handed to the answerer.
    public var citedPassages: [Int]
    /// Model deployment name for the audit log, `extractive` for the built-in answerer.
    public var model: String
}

/// Turns a question and the passages the user may read into an answer.
public protocol Answerer: Sendable {
    /// Highest classification that may be sent to this answerer.
    var clearance: Classification { get }
    var modelName: String { get }
    func answer(question: String, passages: [Passage]) async throws -> Answer
}
