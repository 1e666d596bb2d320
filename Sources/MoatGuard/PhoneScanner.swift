/// Finds telephone numbers: international numbers in E.164 form (with `+`
/// or `00`), the national formats of Belgium, the Netherlands, France,
/// Germany and the United Kingdom (trunk prefix 0 and 9 to 11 digits),
/// the North American format, and other grouped numbers when a cue word
/// such as "phone" or "fax" is near.
enum PhoneScanner {
    static let cues = ContextWords([
        "phone", "tel", "telephone", "telefon", "téléphone", "telefoon", "mobile", "mobil", "cell", "gsm", "fax",
        "call", "calling", "reach", "text me", "whatsapp", "sms", "contact", "desk", "office", "home", "work",
        "ring", "dial", "answering", "message", "messages", "registered", "handy", "portable", "numéro", "nummer",
        "number",
    ])
    /// Names of other identifiers; near one of them a number without a
    /// telephone format is taken to be that identifier.
    static let otherIdentifiers = ContextWords([
        "license", "licence", "passport", "account", "order", "invoice", "customer", "ticket", "reference", "policy",
        "member", "employee", "student", "serial", "tracking", "routing", "id ", "id:", "iban", "card",
    ])

    static func phones(in runs: [DigitRun], folded: [Unicode.Scalar]) -> [ScoredRange] {
        var result: [ScoredRange] = []
        for run in runs {
            guard let (score, format) = classify(run, folded: folded) else { continue }
            let range = run.range.lowerBound..<(run.extensionRange?.upperBound ?? run.range.upperBound)
            result.append(ScoredRange(score: score, range: range, detail: "telephone number (\(format))"))
        }
        return result
    }

    static func classify(_ run: DigitRun, folded: [Unicode.Scalar]) -> (Double, String)? {
        let digits = run.digits
        let count = digits.count
        guard (7...15).contains(count), !run.isFollowedByWord(in: folded), !looksLikeDateOrNumber(run, folded: folded) else { return nil }
        let grouped = run.groups.count >= 2
        let cued = cues.occur(near: run.range, in: folded, before: 40, after: 12)
            && !otherIdentifiers.occur(near: run.range, in: folded, before: 30, after: 0)
        let cueBonus = cued ? 0.4 : 0

        if run.hasPlus {
            return count >= 8 ? (0.95, "international") : nil
        }
        if digits[0] == 0, digits[1] == 0 {
            return count >= 10 ? (0.85, "international with 00") : nil
        }
        if digits[0] == 0 {
            // BE 9–10, NL 10, FR 10, UK 10–11, DE 6–12 digits including the trunk 0.
            // Ten or eleven digits, or nine in three or more groups (BE "02 123 45 67"); a ZIP code
            // followed by a house number ("03262 2437") has nine digits in two groups.
            if (10...11).contains(count) || (count == 9 && run.groups.count >= 3) {
                return (grouped ? 0.8 : min(1, 0.45 + cueBonus), "national")
            }
            return grouped ? (min(1, 0.35 + cueBonus), "national") : nil
        }
        let isNorthAmerican = (count == 10 && (2...9).contains(digits[0])) || (count == 11 && digits[0] == 1 && (2...9).contains(digits[1]))
        if isNorthAmerican {
            let lastGroups = Array(run.groups.suffix(3))
            if lastGroups == [3, 3, 4] || (run.hasParentheses && run.groups.suffix(2) == [3, 4]) {
                return (0.8, "North American")
            }
            return (min(1, (grouped ? 0.45 : 0.35) + cueBonus), "North American")
        }
        guard grouped || cued else { return nil }
        return (min(1, (grouped ? 0.3 : 0.2) + cueBonus), "grouped digits")
    }

    /// Dates (`2022-12-13`, `13.12.2022`), decimals, amounts and version
    /// numbers share a phone's digits and separators.
    static func looksLikeDateOrNumber(_ run: DigitRun, folded: [Unicode.Scalar]) -> Bool {
        let groups = run.groups
        let start = run.range.lowerBound
        if start > 0, "$€£¥#".unicodeScalars.contains(folded[start - 1]) { return true }
        if start > 1, folded[start - 1] == " ", "$€£¥".unicodeScalars.contains(folded[start - 2]) { return true }
        let dateSeparators: Set<Unicode.Scalar> = ["-", "/", "."]
        if groups.count >= 3, dateSeparators.contains(run.separators[0]), run.separators[0] == run.separators[1],
           (groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) || (groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4) {
            return true
        }
        if groups.count == 2, run.separators == ["."] || run.separators == [","] { return true }
        return false
    }
}
