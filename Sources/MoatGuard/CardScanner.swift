/// Finds payment card numbers: 12 to 19 digits, compact or in groups
/// joined by one kind of separator, with a valid Luhn check.
enum CardScanner {
    static let cues = ContextWords(["card", "credit", "debit", "visa", "mastercard", "amex", "maestro", "kaart", "karte", "carte", "tarjeta", "cc "])

    static func cards(in runs: [DigitRun], folded: [Unicode.Scalar]) -> [ScoredRange] {
        var result: [ScoredRange] = []
        for run in runs where !run.hasPlus && !run.hasParentheses && !run.isFollowedByWord(in: folded) {
            let digits = run.digits
            guard (12...19).contains(digits.count), run.hasUniformSeparators,
                  run.separators.allSatisfy({ $0 == " " || $0 == "-" }),
                  run.groups.allSatisfy({ $0 >= 4 }) || run.groups.count == 1,
                  Set(digits).count > 1, Checksums.luhn(digits) else { continue }
            // Issuer identification numbers start with 2 to 6 for the
            // networks in use; 12-digit numbers exist only for Maestro.
            let knownIssuer = (2...6).contains(digits[0])
            var score: Double
            switch (digits.count, knownIssuer) {
            case (13...19, true): score = 0.9
            case (13...19, false): score = 0.6
            case (_, true): score = 0.45
            default: score = 0.3
            }
            if cues.occur(near: run.range, in: folded) { score = min(1, score + 0.4) }
            result.append(ScoredRange(score: score, range: run.range))
        }
        return result
    }
}
