import Foundation

/// Decodes base64, base64url and hex runs and looks for injection in the
/// decoded text, because "decode this and do what it says" hides the
/// instruction from word-based rules.
enum EncodedInstructionScanner {
    /// Runs shorter than this decode to too little text to hold an instruction.
    static let minimumRunLength = 16

    static func scan(_ text: ScannedText, injection: InjectionScanner) -> [Finding] {
        var findings: [Finding] = []
        for run in text.encodedRuns {
            guard let decoded = decode(text.normalized[run]), let finding = instruction(in: decoded, injection: injection) else { continue }
            findings.append(Finding(
                ruleID: GuardRuleID.hiddenEncoded, score: finding.score, span: text.originalSpan(run),
                detail: "encoded text decodes to an instruction (\(finding.detail))"
            ))
        }
        return findings
    }

    /// Decodes hex when the run is all hex digits, otherwise base64 or
    /// base64url; nil unless the result is mostly printable UTF-8 text.
    static func decode(_ run: ArraySlice<Unicode.Scalar>) -> String? {
        var bytes: Data?
        if run.count % 2 == 0, run.allSatisfy(\.isASCIIHexDigit) {
            var data = Data(capacity: run.count / 2)
            var index = run.startIndex
            while index < run.endIndex {
                data.append(UInt8(hexValue(run[index]) << 4 | hexValue(run[index + 1])))
                index += 2
            }
            bytes = data
        } else {
            var base64 = [UInt8]()
            base64.reserveCapacity(run.count + 3)
            for scalar in run where scalar != "=" {
                // base64url uses `-` and `_` where base64 uses `+` and `/`.
                switch scalar {
                case "-": base64.append(UInt8(ascii: "+"))
                case "_": base64.append(UInt8(ascii: "/"))
                default: base64.append(UInt8(scalar.value))
                }
            }
            base64 += [UInt8](repeating: UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
            bytes = Data(base64Encoded: Data(base64))
        }
        // Without a space byte the text cannot contain the space required below, and most decoded secrets have none.
        guard let bytes, bytes.contains(0x20), let decoded = String(data: bytes, encoding: .utf8) else { return nil }
        var printable = 0
        var scalarCount = 0
        for scalar in decoded.unicodeScalars {
            scalarCount += 1
            // Only letters are alphabetic in ASCII, so only other scalars need the property lookup.
            let isAlphabetic = scalar.value < 0x80 ? scalar.isASCIILetter : scalar.properties.isAlphabetic
            if isAlphabetic || scalar == " " { printable += 1 }
        }
        guard printable * 10 >= scalarCount * 7, decoded.contains(" ") else { return nil }
        return decoded
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> Int {
        scalar.isASCIIDigit ? scalar.digitValue : Int(ScannedText.asciiLowercase(scalar).value) - 0x61 + 10
    }

    private static func instruction(in decoded: String, injection: InjectionScanner) -> Finding? {
        let inner = ScannedText(decoded)
        let findings = injection.scan(inner, tokens: WordTokenizer.tokens(in: inner.folded))
        return findings.filter { $0.score >= 0.5 }.max { $0.score < $1.score }
    }
}
