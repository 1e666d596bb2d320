import Foundation

/// Decodes base64, base64url and hex runs and looks for injection in the
/// decoded text, because "decode this and do what it says" hides the
/// instruction from word-based rules.
enum EncodedInstructionScanner {
    /// Runs shorter than this decode to too little text to hold an instruction.
    static let minimumRunLength = 16

    static func scan(_ text: ScannedText, injection: InjectionScanner) -> [Finding] {
        var findings: [Finding] = []
        let scalars = text.normalized
        var index = 0
        while index < scalars.count {
            guard isBase64Character(scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, isBase64Character(scalars[index]) { index += 1 }
            guard index - start >= minimumRunLength else { continue }
            var run = String(String.UnicodeScalarView(scalars[start..<index]))
            guard let decoded = decode(&run), let finding = instruction(in: decoded, injection: injection) else { continue }
            findings.append(Finding(
                ruleID: GuardRuleID.hiddenEncoded, score: finding.score, span: text.originalSpan(start..<index),
                detail: "encoded text decodes to an instruction (\(finding.detail))"
            ))
        }
        return findings
    }

    private static func isBase64Character(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || scalar == "+" || scalar == "/" || scalar == "=" || scalar == "-" || scalar == "_"
    }

    /// Decodes hex when the run is all hex digits, otherwise base64 or
    /// base64url; nil unless the result is mostly printable UTF-8 text.
    static func decode(_ run: inout String) -> String? {
        var bytes: Data?
        let isHex = run.count % 2 == 0 && run.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit }
        if isHex {
            var data = Data(capacity: run.count / 2)
            var iterator = run.unicodeScalars.makeIterator()
            while let high = iterator.next(), let low = iterator.next() {
                guard let byte = UInt8(String(high) + String(low), radix: 16) else { return nil }
                data.append(byte)
            }
            bytes = data
        } else {
            var base64 = run.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 = base64.trimmingCharacters(in: CharacterSet(charactersIn: "="))
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            bytes = Data(base64Encoded: base64)
        }
        guard let bytes, let decoded = String(data: bytes, encoding: .utf8) else { return nil }
        let printable = decoded.unicodeScalars.filter { $0.properties.isAlphabetic || $0 == " " }.count
        guard printable * 10 >= decoded.unicodeScalars.count * 7, decoded.contains(" ") else { return nil }
        return decoded
    }

    private static func instruction(in decoded: String, injection: InjectionScanner) -> Finding? {
        let inner = ScannedText(decoded)
        let findings = injection.scan(inner, tokens: WordTokenizer.tokens(in: inner.folded))
        return findings.filter { $0.score >= 0.5 }.max { $0.score < $1.score }
    }
}
