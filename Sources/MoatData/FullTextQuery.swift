import Foundation

/// Turns a reader's free text into a safe FTS5 MATCH expression.
///
/// The text is split into words at every character that is not a letter or
/// digit, so quotes, `*`, `:`, `-`, `^`, parentheses and braces never reach
/// FTS5 as syntax. Each word is lower-cased, common English stop words are
/// dropped, and every remaining word is quoted, so `OR` or `NEAR` are plain
/// words. The words are ORed together, restricted to the text columns, and
/// BM25 ranks the rows that match many and rare words first.
enum FullTextQuery {
    /// Words beyond this count are ignored, which bounds the cost of one query.
    static let maxTerms = 32
    /// Longer words are not words a reader types; they are dropped.
    static let maxTermLength = 64

    /// The indexed text columns that the reader's words may match.
    static let textColumns = "{title section body}"

    /// Returns the search words of `text`, in order, without duplicates or stop words.
    static func terms(from text: String) -> [String] {
        var seen: Set<String> = []
        var terms: [String] = []
        var word = ""

        func finishWord() {
            defer { word = "" }
            let term = word.lowercased()
            guard !term.isEmpty, term.count <= maxTermLength, !StopWords.english.contains(term), !seen.contains(term) else { return }
            seen.insert(term)
            terms.append(term)
        }

        for character in text {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else {
                finishWord()
            }
        }
        finishWord()
        return Array(terms.prefix(maxTerms))
    }

    /// Builds the MATCH expression: any of `terms` in a text column, AND one
    /// of the reader's access tokens, AND a classification at or below the clearance.
    /// Returns nil when `terms` is empty.
    static func matchExpression(terms: [String], scope: ReaderScope) -> String? {
        guard !terms.isEmpty else { return nil }
        let words = terms.map(quoted).joined(separator: " OR ")
        let access = AccessTokens.granted(to: scope).map(quoted).joined(separator: " OR ")
        let levels = scope.clearance.levelsAtOrBelow.map(AccessTokens.classification).map(quoted).joined(separator: " OR ")
        return "\(textColumns) : (\(words)) AND acl : (\(access)) AND cls : (\(levels))"
    }

    /// An FTS5 string: double quotes inside are doubled, per the FTS5 query syntax.
    static func quoted(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
