/// A word of the folded view: a run of letters and digits, with inner
/// apostrophes and hyphens kept so that `don't` and `prompt-text` stay one word.
struct WordToken: Sendable {
    var range: Range<Int>
    /// True when the word starts the text or follows `.`, `!`, `?`, `:`, `;`
    /// or a line break, ignoring spaces and quotes in between.
    var startsSentence: Bool
    /// True when the word directly follows a quotation mark.
    var followsQuote: Bool
    /// 64-bit FNV-1a hash of the word's folded scalars, the key of
    /// ``PhraseMatcher``'s word lookups.
    var hash: UInt64
}

enum WordTokenizer {
    static func tokens(in folded: [Unicode.Scalar]) -> [WordToken] {
        var tokens: [WordToken] = []
        tokens.reserveCapacity(folded.count / 5)
        var index = 0
        var sentenceBoundary = true
        var quote = false
        let count = folded.count
        while index < count {
            let scalar = folded[index]
            if scalar.isWordCharacter {
                let start = index
                // Hashing here saves the phrase matcher a second walk over every word.
                var hash = (PhraseMatcher.offsetBasis ^ UInt64(scalar.value)) &* PhraseMatcher.prime
                index += 1
                while index < count {
                    let next = folded[index]
                    if next.isWordCharacter {
                        hash = (hash ^ UInt64(next.value)) &* PhraseMatcher.prime
                        index += 1
                    } else if Self.isInnerJoiner(next), index + 1 < count, folded[index + 1].isWordCharacter {
                        hash = (hash ^ UInt64(next.value)) &* PhraseMatcher.prime
                        hash = (hash ^ UInt64(folded[index + 1].value)) &* PhraseMatcher.prime
                        index += 2
                    } else {
                        break
                    }
                }
                tokens.append(WordToken(range: start..<index, startsSentence: sentenceBoundary, followsQuote: quote, hash: hash))
                sentenceBoundary = false
                quote = false
                continue
            }
            switch scalar.value {
            case 0x2E, 0x21, 0x3F, 0x3A, 0x3B, 0x0A, 0x3002, 0xFF01, 0xFF1F:
                sentenceBoundary = true
                quote = false
            case 0x22, 0x27, 0x60, 0x201C, 0x201D, 0x201E, 0x2018, 0x2019, 0xAB, 0xBB:
                quote = true
            case 0x20, 0x09, 0x0D:
                break
            default:
                quote = false
            }
            index += 1
        }
        return tokens
    }

    private static func isInnerJoiner(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "-" || scalar == "\u{2019}" || scalar == "_"
    }
}
