/// A run of digit groups joined by single separators, such as
/// `+32 (0)475 12 34 56`, `4111-1111-1111-1111` or `853-37-1694`, found in
/// the folded view. Personal-data rules validate these runs.
struct DigitRun: Sendable {
    /// Folded-view range of the run, extension excluded.
    var range: Range<Int>
    var digits: [Int]
    /// Digit counts of the groups, in order.
    var groups: [Int]
    /// Separators between groups, one per gap (a space for `) `).
    var separators: [Unicode.Scalar]
    var hasPlus: Bool
    var hasParentheses: Bool
    /// Digits of an `x123` or `ext. 123` extension after the run, if any.
    var extensionRange: Range<Int>?

    var digitString: String { digits.map(String.init).joined() }

    /// True when every separator is the same scalar (or there is none).
    var hasUniformSeparators: Bool { Set(separators).count <= 1 }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "-" || scalar == "." || scalar == "/" || scalar == "(" || scalar == ")"
    }

    /// Finds every maximal run in `folded`. A run starts at `+`, `(` or a digit
    /// that does not continue a word, and stops at a line break, a double
    /// space, a letter or any other character.
    ///
    /// - Parameter numberStarts: ``AnchorPositions/numberStarts`` of `folded`.
    static func all(in folded: [Unicode.Scalar], numberStarts: [Int]) -> [DigitRun] {
        var runs: [DigitRun] = []
        var nextIndex = 0
        let count = folded.count
        for index in numberStarts where index >= nextIndex {
            let scalar = folded[index]
            let startsRun = scalar.isASCIIDigit || ((scalar == "+" || scalar == "(") && index + 1 < count && (folded[index + 1].isASCIIDigit || folded[index + 1] == "("))
            guard startsRun, !(index > 0 && (folded[index - 1].isWordCharacter || folded[index - 1] == "_")) else { continue }
            let run = read(folded, from: index)
            runs.append(run)
            nextIndex = max(run.extensionRange?.upperBound ?? run.range.upperBound, index + 1)
        }
        return runs
    }

    private static func read(_ folded: [Unicode.Scalar], from start: Int) -> DigitRun {
        var run = DigitRun(range: start..<start, digits: [], groups: [], separators: [], hasPlus: false, hasParentheses: false)
        var index = start
        var currentGroup = 0
        var pendingSeparator: Unicode.Scalar?
        var lastDigitEnd = start
        if folded[index] == "+" {
            run.hasPlus = true
            index += 1
        }
        while index < folded.count {
            let scalar = folded[index]
            if scalar.isASCIIDigit {
                if let separator = pendingSeparator, currentGroup > 0 || !run.groups.isEmpty {
                    if currentGroup > 0 { run.groups.append(currentGroup) }
                    run.separators.append(separator)
                    currentGroup = 0
                }
                pendingSeparator = nil
                run.digits.append(scalar.digitValue)
                currentGroup += 1
                index += 1
                lastDigitEnd = index
            } else if isSeparator(scalar) {
                if scalar == "(" || scalar == ")" { run.hasParentheses = true }
                // Two separators in a row are allowed only around parentheses: ") " and " (".
                if let pending = pendingSeparator, !(pending == ")" || scalar == "(" || pending == "(") {
                    break
                }
                if pendingSeparator == nil || scalar == " " || scalar == "-" || scalar == "." || scalar == "/" {
                    pendingSeparator = (pendingSeparator == ")" || pendingSeparator == "(") ? pendingSeparator : scalar
                }
                index += 1
            } else {
                break
            }
        }
        if currentGroup > 0 { run.groups.append(currentGroup) }
        run.range = start..<lastDigitEnd
        if start < folded.count, folded[start] == "(" { run.range = start..<lastDigitEnd }
        run.extensionRange = extensionAfter(folded, at: lastDigitEnd)
        return run
    }

    /// `x123`, ` x123`, ` ext 123` or ` ext. 123` directly after a run.
    private static func extensionAfter(_ folded: [Unicode.Scalar], at position: Int) -> Range<Int>? {
        var index = position
        if index < folded.count, folded[index] == " " { index += 1 }
        let start = index
        if index < folded.count, folded[index] == "x" {
            index += 1
        } else if index + 2 < folded.count, folded[index] == "e", folded[index + 1] == "x", folded[index + 2] == "t" {
            index += 3
            if index < folded.count, folded[index] == "." { index += 1 }
            if index < folded.count, folded[index] == " " { index += 1 }
        } else {
            return nil
        }
        let digitsStart = index
        while index < folded.count, folded[index].isASCIIDigit { index += 1 }
        guard index > digitsStart, index - digitsStart <= 6 else { return nil }
        if index < folded.count, folded[index].isWordCharacter { return nil }
        return start..<index
    }

    /// True when the scalar after the run continues a word or a number,
    /// as in `1234abc` or `1.2.3.4.5`.
    func isFollowedByWord(in folded: [Unicode.Scalar]) -> Bool {
        let end = range.upperBound
        guard end < folded.count else { return false }
        if folded[end].isWordCharacter { return true }
        if (folded[end] == "." || folded[end] == "-" || folded[end] == ","), end + 1 < folded.count, folded[end + 1].isASCIIDigit { return true }
        return false
    }
}
