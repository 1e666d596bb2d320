import Foundation

/// Finds citations of documents that were not retrieved for the answer.
///
/// A citation is a bracketed reference that is not Markdown link syntax:
/// `[3]`, `[1, 2]`, `[doc-42]` or `[policy:7]`. Its content must be all
/// digits or an identifier containing a digit, `-` or `:`, so `[x]`
/// checkboxes and `[sic]` are left alone. Each reference must be one of
/// the retrieved document ids, in the form the answer uses (for example
/// the passage numbers "1", "2" when the model cites by number).
enum CitationScanner {
    static func scan(_ scalars: [Unicode.Scalar], retrieved: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "[", index == 0 || scalars[index - 1] != "!" else { continue }
            var close = index + 1
            while close < scalars.count, close - index <= 80, scalars[close] != "]", scalars[close] != "[", scalars[close] != "\n" { close += 1 }
            guard close < scalars.count, scalars[close] == "]" else { continue }
            // `[text](url)` and `[label]: url` are links, not citations.
            if close + 1 < scalars.count, "(:".unicodeScalars.contains(scalars[close + 1]) { continue }
            let content = String(scalars: scalars[(index + 1)..<close])
            let references = content.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !references.isEmpty, references.allSatisfy(isReference) else { continue }
            let unknown = references.filter { !retrieved.contains($0) }
            guard !unknown.isEmpty else { continue }
            findings.append(Finding(ruleID: GuardRuleID.outputCitation, score: 0.9, span: index..<(close + 1),
                                    detail: "\(unknown.count) cited reference(s) not among the \(retrieved.count) retrieved documents"))
            index = close
        }
        return findings
    }

    private static func isReference(_ text: String) -> Bool {
        // `[REDACTED:pii.email]` is a guardrail's own marker, not a citation.
        if text.hasPrefix("REDACTED:") { return false }
        guard (1...64).contains(text.count), !text.contains(" ") else { return false }
        let scalars = Array(text.unicodeScalars)
        guard scalars.allSatisfy({ $0.isASCIIAlphanumeric || "-_:.#".unicodeScalars.contains($0) }) else { return false }
        return scalars.contains(where: \.isASCIIDigit) || scalars.contains("-") && scalars.count > 3 || scalars.contains(":")
    }
}
