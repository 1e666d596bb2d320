/// Looks for cue words near a candidate, such as "phone" before a number.
struct ContextWords: Sendable {
    private let words: [[Unicode.Scalar]]

    init(_ words: [String]) {
        self.words = words.map { Array($0.unicodeScalars) }
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
