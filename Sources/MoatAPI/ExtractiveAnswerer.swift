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

    public func answer(question: String, passages: [Passage], canary: String = "") async throws -> Answer {
        let questionTerms = Set(Self.terms(question))
        guard !passages.isEmpty, !questionTerms.isEmpty else {
            return Answer(text: Self.notFound, citedPassages: [], model: modelName)
        }
        let minimumOverlap = Self.minimumOverlap(questionTermCount: questionTerms.count)
        var candidates: [(score: Double, passage: Int, order: Int, sentence: String)] = []
        for (index, passage) in passages.enumerated() {
            for (order, sentence) in Self.leadInsJoined(Self.sentences(passage.text)).enumerated() {
                let terms = Self.terms(sentence)
                guard terms.count >= 3 else { continue }
                let overlap = Set(terms).intersection(questionTerms).count
                guard overlap >= minimumOverlap else { continue }
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

    /// Question terms a sentence must share to be quoted: all of a one-term
    /// question, otherwise at least two and at least a third of them. One shared
    /// word such as the company's name is not evidence of an answer.
    static func minimumOverlap(questionTermCount count: Int) -> Int {
        count <= 1 ? count : max(2, Int((Double(count) / 3).rounded(.up)))
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

    /// Splits at `.`, `!` or `?` followed by white space, at blank lines, and
    /// before list items, so that each bullet is a candidate of its own.
    /// Foundation's sentence enumeration is not available on Linux.
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        var previous: Character = " "
        var pendingBreak = false
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character == "\n", startsListItem(characters, at: index + 1) {
                flush(&current, into: &sentences)
                pendingBreak = false
                previous = character
                continue
            }
            if pendingBreak, character.isWhitespace {
                flush(&current, into: &sentences)
                pendingBreak = false
                previous = character
                continue
            }
            pendingBreak = false
            if character == "\n", previous == "\n" {
                flush(&current, into: &sentences)
            }
            current.append(character)
            if character == "." || character == "!" || character == "?" {
                // The `.` of a numbered list marker such as `2.` does not end a sentence.
                pendingBreak = !(character == "." && isListNumber(current))
            }
            previous = character
        }
        flush(&current, into: &sentences)
        return sentences
    }

    /// Joins a sentence that ends with `:` to the up to four short lines that
    /// follow it, so a lead-in such as "the allowance is:" keeps its values.
    static func leadInsJoined(_ sentences: [String]) -> [String] {
        var joined: [String] = []
        var index = 0
        while index < sentences.count {
            var sentence = sentences[index]
            index += 1
            if sentence.hasSuffix(":") {
                var taken = 0
                while index < sentences.count, taken < 4, sentences[index].count <= 120, !sentences[index].hasSuffix(":") {
                    sentence += " " + sentences[index]
                    index += 1
                    taken += 1
                }
            }
            joined.append(sentence)
        }
        return joined
    }

    /// Whether a list marker (`-`, `*`, `•` or `1.`) followed by a space starts at `index`, after optional indentation.
    private static func startsListItem(_ characters: [Character], at index: Int) -> Bool {
        var position = index
        while position < characters.count, characters[position] == " " || characters[position] == "\t" { position += 1 }
        guard position + 1 < characters.count else { return false }
        if "-*•".contains(characters[position]) { return characters[position + 1] == " " }
        var digits = position
        while digits < characters.count, characters[digits].isNumber { digits += 1 }
        return digits > position && digits + 1 < characters.count && characters[digits] == "." && characters[digits + 1] == " "
    }

    /// Returns true when `text` is only a list number such as `12.`, after optional white space.
    private static func isListNumber(_ text: String) -> Bool {
        let trimmed = text.drop { $0.isWhitespace }
        return trimmed.count >= 2 && trimmed.dropLast().allSatisfy(\.isNumber)
    }

    private static func flush(_ current: inout String, into sentences: inout [String]) {
        let sentence = current.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if !sentence.isEmpty { sentences.append(sentence) }
        current = ""
    }
}
