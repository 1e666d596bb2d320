import Foundation

/// Finds text a human reviewer would not see or would misread: invisible
/// characters, bidi controls, mixed-script look-alike words and
/// instructions wrapped in base64 or hex.
enum HiddenTextScanner {
    static func scan(_ text: ScannedText, tokens: [WordToken], injection: InjectionScanner) -> [Finding] {
        var findings = invisibleRuns(in: text.original)
        findings += homoglyphWords(in: text, tokens: tokens)
        findings += EncodedInstructionScanner.scan(text, injection: injection)
        return findings
    }

    /// One finding per run of invisible characters of one kind. Zero-width
    /// joiners and variation selectors inside emoji sequences, zero-width
    /// characters between letters of scripts written without spaces, and
    /// tag characters of subdivision flags (U+1F3F4 followed by tags) are
    /// ordinary text and are skipped.
    static func invisibleRuns(in scalars: [Unicode.Scalar]) -> [Finding] {
        var findings: [Finding] = []
        var index = 0
        while index < scalars.count {
            guard scalars[index].value >= 0xAD, let kind = InvisibleCharacters.kind(of: scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, InvisibleCharacters.kind(of: scalars[index]) == kind { index += 1 }
            let before = start > 0 ? scalars[start - 1] : nil
            let after = index < scalars.count ? scalars[index] : nil
            if isOrdinaryUse(kind, before: before, after: after, run: scalars[start..<index]) { continue }

            let count = index - start
            switch kind {
            case .zeroWidth:
                findings.append(Finding(ruleID: GuardRuleID.hiddenZeroWidth, score: 0.9, span: start..<index,
                                        detail: "\(count) zero-width or invisible character(s)"))
            case .tag:
                findings.append(Finding(ruleID: GuardRuleID.hiddenTagCharacters, score: 1, span: start..<index,
                                        detail: "\(count) Unicode tag character(s), which can smuggle hidden ASCII text"))
            case .bidi:
                findings.append(Finding(ruleID: GuardRuleID.hiddenBidi, score: 0.9, span: start..<index,
                                        detail: "\(count) bidirectional control character(s) that reorder displayed text"))
            }
        }
        return findings
    }

    private static func isOrdinaryUse(_ kind: InvisibleCharacters.Kind, before: Unicode.Scalar?, after: Unicode.Scalar?, run: ArraySlice<Unicode.Scalar>) -> Bool {
        switch kind {
        case .tag:
            return before?.value == 0x1F3F4 && run.last?.value == 0xE007F
        case .zeroWidth:
            let isJoinerOrSelector = run.allSatisfy { $0.value == 0x200D || (0xFE00...0xFE0F).contains($0.value) }
            if isJoinerOrSelector, before?.properties.isEmoji == true, before.map({ $0.value > 0xFF }) == true {
                return true
            }
            if let before, let after, before.value > 0x2FF, after.value > 0x2FF,
               before.properties.isAlphabetic, after.properties.isAlphabetic,
               !Homoglyphs.isConfusable(before), !Homoglyphs.isConfusable(after) {
                return true
            }
            return false
        case .bidi:
            // Marks next to right-to-left letters are how such text is written.
            let isMark = run.allSatisfy { $0.value == 0x200E || $0.value == 0x200F || $0.value == 0x061C }
            return isMark && [before, after].contains { $0.map { (0x0590...0x08FF).contains($0.value) } == true }
        }
    }

    /// Words that mix basic Latin letters with Cyrillic or Greek look-alikes.
    static func homoglyphWords(in text: ScannedText, tokens: [WordToken]) -> [Finding] {
        var findings: [Finding] = []
        // A flagged word needs a look-alike, and most texts contain none at all.
        let confusables = confusableBelowTableEnd
        func isConfusable(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < UInt32(confusables.count) ? confusables[Int(scalar.value)] : Homoglyphs.isConfusable(Self.lowercased(scalar))
        }
        var confusablePositions: [Int] = []
        for (index, scalar) in text.original.enumerated() where scalar.value >= 0x80 && isConfusable(scalar) {
            confusablePositions.append(index)
        }
        guard !confusablePositions.isEmpty else { return findings }
        // Spans grow with the tokens, so one cursor over the look-alike positions skips the words without any.
        var nextConfusable = 0
        for token in tokens {
            let span = text.originalSpan(token.range)
            while nextConfusable < confusablePositions.count, confusablePositions[nextConfusable] < span.lowerBound { nextConfusable += 1 }
            guard nextConfusable < confusablePositions.count, confusablePositions[nextConfusable] < span.upperBound else { continue }
            var hasLatin = false
            var hasConfusable = false
            for scalar in text.original[span] {
                // ASCII has no look-alikes in the table, so it skips the lowercase lookup.
                if scalar.value < 0x80 {
                    if scalar.isASCIILetter { hasLatin = true }
                    continue
                }
                if isConfusable(scalar) { hasConfusable = true }
            }
            if hasLatin, hasConfusable {
                findings.append(Finding(ruleID: GuardRuleID.hiddenHomoglyph, score: 0.8, span: span,
                                        detail: "word mixes Latin letters with Cyrillic or Greek look-alikes"))
            }
        }
        return findings
    }

    /// Look-alike flags of the scalars below U+2500 after lowercasing,
    /// computed once so that scans skip the Unicode case lookup. Every
    /// look-alike in ``Homoglyphs`` is below U+2500, but some scalars above
    /// lowercase to one, so those still take the lookup.
    private static let confusableBelowTableEnd: [Bool] = (0..<0x2500).map { (value: UInt32) in
        Homoglyphs.isConfusable(lowercased(Unicode.Scalar(value)!))
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ScannedText.lowercase(scalar)
    }
}
