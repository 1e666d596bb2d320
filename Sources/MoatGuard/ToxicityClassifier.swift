/// A toxic or abusive passage found in a text.
public struct ToxicityFinding: Sendable, Equatable {
    /// Unicode scalar offsets into the classified text.
    public var span: Range<Int>
    /// 0...1.
    public var score: Double
    /// A short category such as `slur`, `threat` or `profanity`; never the matched word.
    public var category: String

    public init(span: Range<Int>, score: Double, category: String) {
        self.span = span
        self.score = score
        self.category = category
    }
}

/// Something that finds toxic or abusive language; ``OutputGuard`` reports
/// its findings as `output.toxic`. Plug in a model-based classifier by
/// conforming to this protocol; ``LexiconToxicityClassifier`` is the default.
public protocol ToxicityClassifier: Sendable {
    func findToxicity(in text: String) -> [ToxicityFinding]
}

/// A word-list classifier that matches whole words only (so `class` never
/// matches `ass`) and sees through common obfuscation: upper case,
/// look-alike letters, leetspeak digits and symbols (`sh1t`, `@ss`),
/// repeated letters (`fuuuck`), letters split by spaces or dots
/// (`f u c k`, `f.u.c.k`) and masking stars (`f*ck`).
public struct LexiconToxicityClassifier: ToxicityClassifier {
    public init() {}

    public func findToxicity(in text: String) -> [ToxicityFinding] {
        let scanned = ScannedText(text)
        let words = ObfuscatedWords.words(in: scanned.folded)
        var findings: [ToxicityFinding] = []
        for (index, word) in words.enumerated() {
            if let entry = ToxicLexicon.entry(for: word.skeleton) {
                findings.append(ToxicityFinding(span: scanned.originalSpan(word.range), score: entry.score, category: entry.category))
                continue
            }
            if index + 1 < words.count, let entry = ToxicLexicon.phraseEntry(word.skeleton, words[index + 1].skeleton) {
                let range = word.range.lowerBound..<words[index + 1].range.upperBound
                findings.append(ToxicityFinding(span: scanned.originalSpan(range), score: entry.score, category: entry.category))
            }
        }
        return findings
    }
}

/// Words rebuilt from obfuscated spellings.
enum ObfuscatedWords {
    struct Word {
        var range: Range<Int>
        /// Letters after leetspeak mapping with repeated letters collapsed;
        /// `*` stays as a wildcard.
        var skeleton: String
    }

    private static let leet: [Unicode.Scalar: Unicode.Scalar] = [
        "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l", "€": "e",
    ]

    private static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || leet[scalar] != nil || scalar == "*"
    }

    static func words(in folded: [Unicode.Scalar]) -> [Word] {
        var raw: [Range<Int>] = []
        var index = 0
        while index < folded.count {
            guard isWordPart(folded[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < folded.count, isWordPart(folded[index]) || folded[index].isASCIIDigit { index += 1 }
            raw.append(start..<index)
        }
        // Join runs of single characters split by one space, dot, dash or underscore: "f u c k".
        var joined: [Range<Int>] = []
        var position = 0
        while position < raw.count {
            var range = raw[position]
            if range.count == 1 {
                var next = position + 1
                while next < raw.count, raw[next].count == 1, raw[next].lowerBound - range.upperBound == 1,
                      " .-_".unicodeScalars.contains(folded[range.upperBound]) {
                    range = range.lowerBound..<raw[next].upperBound
                    next += 1
                }
                if next - position >= 3 {
                    joined.append(range)
                    position = next
                    continue
                }
            }
            joined.append(raw[position])
            position += 1
        }
        return joined.map { range in
            var skeleton = String.UnicodeScalarView()
            for scalar in folded[range] where isWordPart(scalar) || scalar.isASCIIDigit {
                let mapped = leet[scalar] ?? scalar
                if skeleton.last != mapped { skeleton.append(mapped) }
            }
            return Word(range: range, skeleton: String(skeleton))
        }
    }
}
