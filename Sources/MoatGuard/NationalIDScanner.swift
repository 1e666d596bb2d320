/// Finds national identifiers: the Belgian national register number, the
/// Dutch BSN, the US SSN and the UK National Insurance number.
enum NationalIDScanner {
    static let belgianCues = ContextWords(["rijksregister", "national number", "national register", "numéro national", "registre national", "insz", "niss", "nn "])
    static let dutchCues = ContextWords(["bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "citizen service number"])
    static let ssnCues = ContextWords(["ssn", "social security", "social-security", "ss#", "ss #"])

    static func candidates(in runs: [DigitRun], folded: [Unicode.Scalar]) -> [ScoredRange] {
        var result: [ScoredRange] = []
        for run in runs where !run.hasPlus && !run.isFollowedByWord(in: folded) {
            let groups = run.groups
            let separators = run.separators
            switch run.digits.count {
            case 11 where Checksums.belgianNationalNumber(run.digits):
                // yy.mm.dd-xxx.cc as printed on the identity card, or a plain or spaced form.
                let printed = groups == [2, 2, 2, 3, 2] && separators == [".", ".", "-", "."]
                let grouped = groups == [6, 3, 2] || groups == [2, 2, 2, 3, 2]
                let cued = belgianCues.occur(near: run.range, in: folded)
                let score = printed || cued ? 0.95 : (grouped ? 0.8 : 0.6)
                result.append(ScoredRange(ruleID: GuardRuleID.piiBelgianNationalNumber, score: score, range: run.range,
                                          detail: "Belgian national register number with a valid mod-97 check"))
            case 9:
                let ssnShape = groups == [3, 2, 4] && run.hasUniformSeparators && (separators.first == "-" || separators.first == " ")
                let ssnCued = ssnCues.occur(near: run.range, in: folded)
                if Checksums.usSSN(run.digits), ssnShape || (ssnCued && groups == [9]) {
                    result.append(ScoredRange(ruleID: GuardRuleID.piiUSSSN, score: ssnCued ? 0.95 : 0.85, range: run.range,
                                              detail: "US social security number that follows SSA issuance rules"))
                } else if Checksums.dutchBSN(run.digits), groups == [9] || groups == [4, 2, 3] {
                    let cued = dutchCues.occur(near: run.range, in: folded)
                    // NOTE: one random 9-digit number in 11 passes the elfproef, so without a cue word the score stays below the default threshold.
                    result.append(ScoredRange(ruleID: GuardRuleID.piiDutchBSN, score: cued ? 0.95 : 0.4, range: run.range,
                                              detail: "Dutch BSN with a valid elfproef check"))
                }
            default:
                continue
            }
        }
        return result
    }

    /// `AB123456C` or `AB 12 34 56 C`, with a valid prefix and suffix A–D.
    ///
    /// - Parameter numberStarts: ``AnchorPositions/numberStarts`` of `folded`;
    ///   the prefix letters come right before the first digit or the
    ///   spaces in front of it.
    static func ukNINOs(in folded: [Unicode.Scalar], numberStarts: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var nextIndex = 0
        let count = folded.count
        for firstDigit in numberStarts where folded[firstDigit].isASCIIDigit {
            var numberStart = firstDigit
            while numberStart > 0, folded[numberStart - 1] == " " { numberStart -= 1 }
            let index = numberStart - 2
            guard index >= nextIndex, index >= 0, index + 8 < count else { continue }
            guard folded[index].isASCIILowercase, folded[index + 1].isASCIILowercase,
                  folded[index + 2].isASCIIDigit || folded[index + 2] == " ",
                  index == 0 || !folded[index - 1].isWordCharacter,
                  Checksums.ukNINOPrefix(folded[index], folded[index + 1]) else { continue }
            var position = index + 2
            var digits = 0
            while position < count, digits < 6 {
                if folded[position].isASCIIDigit {
                    digits += 1
                } else if folded[position] != " " || digits % 2 != 0 {
                    break
                }
                position += 1
            }
            guard digits == 6 else { continue }
            if position < count, folded[position] == " " { position += 1 }
            guard position < count, ["a", "b", "c", "d"].contains(folded[position]),
                  position + 1 == count || !folded[position + 1].isWordCharacter else { continue }
            result.append(index..<(position + 1))
            nextIndex = position + 1
        }
        return result
    }
}
