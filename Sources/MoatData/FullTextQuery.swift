import Foundation

/// Turns a reader's free text into a safe FTS5 MATCH expression.
///
/// The text is split into words at every character that is not a letter or
/// digit, so quotes, `*`, `:`, `-`, `^`, parentheses and braces never reach
/// FTS5 as syntax. Each word is lower-cased and quoted, so `OR` or `NEAR`
/// typed by a reader are plain words. The expression ORs together:
/// - every word that is not a common English stop word;
/// - each hyphenated compound as a phrase (`"out of network"`), stop words included;
/// - each pair of neighbouring words as `NEAR(… …, 5)`, so passages where they occur close together rank higher.
///
/// All of it is restricted to the text columns, and BM25 ranks the rows that
/// match many and rare words first.
enum FullTextQuery {
    /// Words beyond this count are ignored, which bounds the cost of one query.
    static let maxTerms = 32
    /// Longer words are not words a reader types; they are dropped.
    static let maxTermLength = 64
    /// Maximum number of tokens between two neighbouring query words for the NEAR bonus.
    static let nearDistance = 5

    /// The indexed text columns that the reader's words may match.
    static let textColumns = "{title section body}"

    struct Parsed: Equatable {
        /// Search words in order, without duplicates or stop words.
        var terms: [String]
        /// Hyphenated compounds, words separated by single spaces.
        var phrases: [String]
    }

    static func parse(_ text: String) -> Parsed {
        var terms: [String] = []
        var phrases: [String] = []
        var compound: [String] = []
        var word = ""

        func finishWord() {
            guard !word.isEmpty else { return }
            let term = word.lowercased()
            word = ""
            guard term.count <= maxTermLength else { return }
            if !StopWords.english.contains(term), !terms.contains(term) {
                terms.append(term)
            }
            compound.append(term)
        }

        func finishCompound() {
            if compound.count > 1 {
                let phrase = compound.joined(separator: " ")
                if !phrases.contains(phrase) { phrases.append(phrase) }
            }
            compound = []
        }

        for character in text {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if character == "-", !word.isEmpty {
                // A hyphen right after a word continues a compound such as "in-network".
                finishWord()
            } else {
                finishWord()
                finishCompound()
            }
        }
        finishWord()
        finishCompound()
        return Parsed(terms: Array(terms.prefix(maxTerms)), phrases: Array(phrases.prefix(maxTerms)))
    }

    /// Returns the search words of `text`, in order, without duplicates or stop words.
    static func terms(from text: String) -> [String] {
        parse(text).terms
    }

    /// Builds the MATCH expression: the reader's words in a text column AND
    /// one of the reader's access tokens. Returns nil when the text has no search words.
    static func matchExpression(for parsed: Parsed, scope: ReaderScope) -> String? {
        guard !parsed.terms.isEmpty else { return nil }
        var alternatives = parsed.terms.map(quoted)
        alternatives += parsed.phrases.map(quoted)
        alternatives += zip(parsed.terms, parsed.terms.dropFirst()).map { first, second in
            "NEAR(\(quoted(first)) \(quoted(second)), \(nearDistance))"
        }
        let words = alternatives.joined(separator: " OR ")
        let access = AccessTokens.granted(to: scope).map(quoted).joined(separator: " OR ")
        return "\(textColumns) : (\(words)) AND acl : (\(access))"
    }

    /// Quotes `term` as an FTS5 string, doubling any double quote inside it as the FTS5 query syntax requires.
    static func quoted(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
