import Foundation
import MoatData

/// Answers without a language model: picks the sentences of the retrieved
/// passages that share the most terms with the question and cites their
/// passages. Nothing leaves the process, so it is cleared for every classification.
public struct ExtractiveAnswerer: Answerer {
    public let clearance: Classification = .restricted
    public let modelName = "extractive"
    /// Sentences in an answer. Default 3.
    public var maxSentences: Int

    public init(maxSentences: Int = 3) {
        self.maxSentences = maxSentences
    }

    public func answer(question: String, passages: [Passage]) async throws -> Answer {
        let questionTerms = Set(Self.terms(question))
        guard !passages.isEmpty, !questionTerms.isEmpty else {
            return Answer(text: Self.notFound, citedPassages: [], model: modelName)
        }
        var candidates: [(score: Double, passage: Int, order: Int, sentence: String)] = []
        for (index, passage) in passages.enumerated() {
            for (order, sentence) in Self.sentences(passage.text).enumerated() {
                let terms = Self.terms(sentence)
                guard terms.count >= 3 else { continue }
                let overlap = Set(terms).intersection(questionTerms).count
                guard overlap > 0 else { continue }
                // Favour sentences that cover more of the question, then earlier-ranked passages.
                let score = Double(overlap) / Double(questionTerms.count) + 0.05 / Double(index + 1)
                candidates.append((score, index, order, sentence))
            }
        }
        let chosen = candidates.sorted { $0.score > $1.score }.prefix(maxSentences)
        guard !chosen.isEmpty else {
            return Answer(text: Self.notFound, citedPassages: [], model: modelName)
        }
        let ordered = chosen.sorted { ($0.passage, $0.order) < ($1.passage, $1.order) }
        let text = ordered.map { "\($0.sentence) [\($0.passage + 1)]" }.joined(separator: " ")
        var cited: [Int] = []
        for candidate in ordered where !cited.contains(candidate.passage + 1) {
            cited.append(candidate.passage + 1)
        }
        return Answer(text: text, citedPassages: cited, model: modelName)
    }

    static let notFound = "I could not find an answer in the documents you are allowed to read."

    private static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in",
        "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that", "the", "their", "there", "this", "to",
        "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
    ]

    /// Lower-cased words without stop words, cut to 6 characters as a crude stem.
    static func terms(_ text: String) -> [String] {
        text.lowercased()
            .split { !$0.isLetter && !$0.isNumber }
            .map(String.init)
            .filter { $0.count > 1 && !stopWords.contains($0) }
            .map { String($0.prefix(6)) }
    }

    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        text.enumerateSubstrings(in: text.startIndex..., options: .bySentences) { substring, _, _, _ in
            let sentence = (substring ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !sentence.isEmpty { sentences.append(sentence) }
        }
        return sentences
    }
}
