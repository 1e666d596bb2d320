/// Finds personal data with validation: check digits where the identifier
/// has them, and cue words where the format alone is ambiguous.
///
/// Rules run from the most to the least specific (IBAN, national numbers,
/// cards, SSN, e-mail, IP address, phone), and a later rule skips a span an
/// earlier one already claimed, so a card number is never also a phone.
enum PersonalDataScanner {
    static func scan(_ text: ScannedText) -> [Finding] {
        let folded = text.folded
        var claimed: [Range<Int>] = []
        var findings: [Finding] = []

        func add(_ ruleID: String, _ score: Double, _ range: Range<Int>, _ detail: String) {
            guard !claimed.contains(where: { $0.overlaps(range) }) else { return }
            claimed.append(range)
            let span = text.originalSpan(range)
            findings.append(Finding(ruleID: ruleID, score: score, span: span, detail: detail,
                                    matchedText: String(scalars: text.original[span])))
        }

        // Every rule below except e-mail and IPv6 starts from a digit, `+` or `(`, and visits only those positions.
        let numberStarts = text.anchors.numberStarts
        for range in IBANScanner.ibans(in: folded, numberStarts: numberStarts) {
            add(GuardRuleID.piiIBAN, 1, range, "IBAN with a valid ISO 13616 mod-97 check")
        }
        for range in NationalIDScanner.ukNINOs(in: folded, numberStarts: numberStarts) {
            add(GuardRuleID.piiUKNINO, 0.9, range, "UK National Insurance number with a valid prefix")
        }
        let runs = DigitRun.all(in: folded, numberStarts: numberStarts)
        for candidate in NationalIDScanner.candidates(in: runs, folded: folded) {
            add(candidate.ruleID, candidate.score, candidate.range, candidate.detail)
        }
        for candidate in CardScanner.cards(in: runs, folded: folded) {
            add(GuardRuleID.piiCard, candidate.score, candidate.range, "payment card number with a valid Luhn check")
        }
        for range in EmailScanner.addresses(in: folded, atSigns: text.anchors.atSigns) {
            add(GuardRuleID.piiEmail, 0.95, range, "e-mail address")
        }
        for range in IPAddressScanner.addresses(in: folded, numberStarts: numberStarts, colons: text.anchors.colons) {
            add(GuardRuleID.piiIPAddress, 0.85, range, "IP address")
        }
        for candidate in PhoneScanner.phones(in: runs, folded: folded) {
            add(GuardRuleID.piiPhone, candidate.score, candidate.range, candidate.detail)
        }
        return findings
    }
}

/// A validated candidate with its score.
struct ScoredRange: Sendable {
    var ruleID: String = ""
    var score: Double
    var range: Range<Int>
    var detail: String = ""
}
