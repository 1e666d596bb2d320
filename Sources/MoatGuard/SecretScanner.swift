import Foundation

/// Finds secrets: private keys, JWTs, vendor API keys, connection strings
/// with passwords, credentials assigned to a credential name, and
/// high-entropy strings next to a credential word.
///
/// Rules run from the most to the least specific and a later rule skips a
/// span an earlier one claimed.
enum SecretScanner {
    static func scan(_ text: ScannedText) -> [Finding] {
        var claimed: [Range<Int>] = []
        var findings: [Finding] = []
        func add(_ ruleID: String, _ score: Double, _ range: Range<Int>, _ detail: String) {
            guard !range.isEmpty, !claimed.contains(where: { $0.overlaps(range) }) else { return }
            claimed.append(range)
            let span = text.originalSpan(range)
            findings.append(Finding(ruleID: ruleID, score: score, span: span, detail: detail,
                                    matchedText: String(scalars: text.original[span])))
        }

        for block in PrivateKeyScanner.pemBlocks(in: text.normalized, hyphens: text.anchors.hyphens) {
            // An encrypted key is useless without its passphrase, so it scores below the default threshold.
            add(GuardRuleID.secretPrivateKey, block.isEncrypted ? 0.45 : 1, block.range,
                block.isEncrypted ? "encrypted PEM private key block" : "PEM private key block")
        }
        for range in PrivateKeyScanner.jsonWebKeyPrivateMembers(in: text.normalized, quotes: text.anchors.quotes) {
            add(GuardRuleID.secretPrivateKey, 0.9, range, "private member of a JSON Web Key")
        }
        for candidate in TokenScanner.tokens(in: text.normalized) {
            add(candidate.ruleID, candidate.score, candidate.range, candidate.detail)
        }
        for range in CredentialScanner.connectionStringPasswords(in: text.normalized, colons: text.anchors.colons) {
            add(GuardRuleID.secretConnectionString, 0.9, range, "password in a connection string URL")
        }
        for candidate in CredentialScanner.assignments(in: text) {
            add(candidate.ruleID, candidate.score, candidate.range, candidate.detail)
        }
        return findings
    }
}

/// Private keys in PEM and JWK form.
enum PrivateKeyScanner {
    private static let begin = Array("-----BEGIN ".unicodeScalars)
    private static let end = Array("-----END ".unicodeScalars)
    private static let dashes = Array("-----".unicodeScalars)
    private static let typeMemberName = Array("\"kty\"".unicodeScalars)

    /// From `-----BEGIN … PRIVATE KEY…-----` to the matching END line, or
    /// to the end of the text when the END line is missing (a truncated key
    /// is still secret).
    ///
    /// - Parameter hyphens: ``AnchorPositions/hyphens`` of `scalars`.
    static func pemBlocks(in scalars: [Unicode.Scalar], hyphens: [Int]) -> [(range: Range<Int>, isEncrypted: Bool)] {
        var result: [(range: Range<Int>, isEncrypted: Bool)] = []
        var searchFrom = 0
        while let beginRange = ScannedText.firstRange(of: begin, in: scalars, at: hyphens, from: searchFrom) {
            let labelStart = beginRange.upperBound
            guard let closing = InjectionScanner.firstRange(of: dashes, in: scalars, from: labelStart) else { break }
            let label = String(scalars: scalars[labelStart..<closing.lowerBound])
            searchFrom = closing.upperBound
            guard label.hasSuffix("PRIVATE KEY") || label.hasSuffix("PRIVATE KEY BLOCK"), label.count < 40 else { continue }
            var blockEnd = scalars.count
            if let endMarker = InjectionScanner.firstRange(of: end, in: scalars, from: closing.upperBound),
               let endDashes = InjectionScanner.firstRange(of: dashes, in: scalars, from: endMarker.upperBound) {
                blockEnd = endDashes.upperBound
            }
            let body = String(scalars: scalars[closing.upperBound..<min(blockEnd, closing.upperBound + 200)])
            let isEncrypted = label.hasPrefix("ENCRYPTED") || body.contains("Proc-Type: 4,ENCRYPTED")
            result.append((beginRange.lowerBound..<blockEnd, isEncrypted))
            searchFrom = blockEnd
        }
        return result
    }

    /// Finds the `kty` member and the private members (`d`, `p`, `q`, `dp`, `dq`,
    /// `qi`, and `k` of symmetric keys, RFC 7518 §6) of a JSON Web Key.
    ///
    /// - Parameter quotes: ``AnchorPositions/quotes`` of `scalars`.
    static func jsonWebKeyPrivateMembers(in scalars: [Unicode.Scalar], quotes: [Int]) -> [Range<Int>] {
        guard ScannedText.firstRange(of: typeMemberName, in: scalars, at: quotes) != nil else { return [] }
        var typeMembers: [Range<Int>] = []
        var privateMembers: [Range<Int>] = []
        let privateNames: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "k", "kty"]
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "\"" else {
                index += 1
                continue
            }
            var nameEnd = index + 1
            while nameEnd < scalars.count, scalars[nameEnd].isASCIILetter, nameEnd - index < 5 { nameEnd += 1 }
            guard nameEnd < scalars.count, scalars[nameEnd] == "\"" else {
                index += 1
                continue
            }
            let name = String(scalars: scalars[(index + 1)..<nameEnd])
            var position = nameEnd + 1
            while position < scalars.count, scalars[position] == " " { position += 1 }
            guard privateNames.contains(name), position < scalars.count, scalars[position] == ":" else {
                index = nameEnd + 1
                continue
            }
            position += 1
            while position < scalars.count, scalars[position] == " " { position += 1 }
            guard position < scalars.count, scalars[position] == "\"" else {
                index = position
                continue
            }
            var valueEnd = position + 1
            while valueEnd < scalars.count, scalars[valueEnd] != "\"", scalars[valueEnd] != "\n" { valueEnd += 1 }
            let length = valueEnd - position - 1
            let member = index..<min(valueEnd + 1, scalars.count)
            if name == "kty" {
                typeMembers.append(member)
            } else if length >= 16 {
                privateMembers.append(member)
            }
            index = valueEnd + 1
        }
        return privateMembers.isEmpty ? [] : (typeMembers + privateMembers).sorted { $0.lowerBound < $1.lowerBound }
    }
}
