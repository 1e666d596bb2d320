/// Looks for cue words near a candidate, such as "phone" before a number.
struct ContextWords: Sendable {
    private let words: [[Unicode.Scalar]]
    /// First scalars of the words, so most window positions are rejected
    /// without visiting each word, or nil when a word starts outside ASCII.
    private let firstScalars: ASCIISet?

    init(_ words: [String]) {
        self.words = words.map { Array($0.unicodeScalars) }
        let firsts = self.words.map { $0[0] }
        self.firstScalars = firsts.allSatisfy { $0.value < 128 } ? ASCIISet(String(String.UnicodeScalarView(firsts))) : nil
    }

    /// True when a cue word starts at a word boundary within `before`
    /// scalars before `range` or `after` scalars after it.
    func occur(near range: Range<Int>, in folded: [Unicode.Scalar], before: Int = 40, after: Int = 16) -> Bool {
        let lower = max(0, range.lowerBound - before)
        let upper = min(folded.count, range.upperBound + after)
        return contains(in: folded, lower..<range.lowerBound) || contains(in: folded, range.upperBound..<upper)
    }

    private func contains(in folded: [Unicode.Scalar], _ window: Range<Int>) -> Bool {
        guard !window.isEmpty else { return false }
        for start in window {
            if let firstScalars, !firstScalars.contains(folded[start]) { continue }
            if start > 0, folded[start - 1].isWordCharacter { continue }
            for word in words where start + word.count <= window.upperBound && folded[start] == word[0] {
                var offset = 1
                while offset < word.count, folded[start + offset] == word[offset] { offset += 1 }
                if offset == word.count { return true }
            }
        }
        return false
    }
}
