/// Finds secrets by their context: a value assigned to a credential name
/// (`password=…`, `"apiKey": "…"`, `--token …`, `IDENTIFIED BY '…'`,
/// `Authorization: Bearer …`), the password of a connection-string URL,
/// and a high-entropy string shortly after a credential word.
enum CredentialScanner {
    struct Keyword: Sendable {
        var word: [Unicode.Scalar]
        /// True for passwords, which may be short and need not look random.
        var isPassword: Bool
        /// Short words (`pw`, `key`) count only at an identifier boundary,
        /// so `bypass` and `monkey` are not credential names.
        var needsBoundary: Bool
    }

    static let keywords: [Keyword] = {
        let passwords = ["password", "passwd", "passphrase", "passwort", "kennwort", "wachtwoord", "contraseña", "mot de passe", "비번", "密码", "identified by"]
        let shortPasswords = ["pass", "pwd", "pw"]
        let secrets = ["secret", "token", "apikey", "api_key", "api-key", "api key", "accesskey", "access_key", "access key",
                       "accountkey", "sharedaccesskey", "credential", "credentials", "bearer", "private_key", "privatekey"]
        let shortSecrets = ["key", "auth", "basic"]
        func make(_ words: [String], password: Bool, boundary: Bool) -> [Keyword] {
            words.map { Keyword(word: Array($0.unicodeScalars), isPassword: password, needsBoundary: boundary) }
        }
        return make(passwords, password: true, boundary: false) + make(shortPasswords, password: true, boundary: true)
            + make(secrets, password: false, boundary: false) + make(shortSecrets, password: false, boundary: true)
    }()

    /// Keywords by their first two scalars (`first << 7 | second`), for
    /// keywords whose first two scalars are ASCII. Every keyword has at least
    /// two scalars, so a position whose pair has no entry starts none.
    private static let keywordsByFirstPair: [[Keyword]] = {
        var table = [[Keyword]](repeating: [], count: 128 * 128)
        for keyword in keywords where keyword.word[0].value < 128 {
            precondition(keyword.word.count >= 2 && keyword.word[1].value < 128, "credential names start with two ASCII scalars or none")
            table[Int(keyword.word[0].value) << 7 | Int(keyword.word[1].value)].append(keyword)
        }
        return table
    }()
    /// True where ``keywordsByFirstPair`` has an entry, tested before
    /// fetching the entry because most pairs have none.
    private static let firstPairStartsKeyword = BitTable(keywordsByFirstPair.map { !$0.isEmpty })
    /// Keywords that start outside ASCII (Korean, Chinese).
    private static let otherKeywords = keywords.filter { $0.word[0].value >= 128 }

    private static let valueTerminators = ASCIISet(",;\"'<>()[]{}")

    private static let typeNames: Set<String> = [
        "string", "str", "int", "integer", "bool", "boolean", "number", "bytes", "object", "any", "none", "null", "nil",
        "true", "false", "undefined", "required", "optional", "empty", "secret", "password", "token", "text", "value",
    ]

    static func assignments(in text: ScannedText) -> [ScoredRange] {
        var result: [ScoredRange] = []
        let folded = text.folded
        let normalized = text.normalized
        let keywordTable = keywordsByFirstPair
        let pairStartsKeyword = firstPairStartsKeyword
        let nonASCIIKeywords = otherKeywords
        var index = 0
        var consumedUntil = 0
        while index < folded.count {
            defer { index += 1 }
            guard index >= consumedUntil else { continue }
            let first = folded[index].value
            guard first >= 0x61 else { continue }
            let candidates: [Keyword]
            if first < 128 {
                guard index + 1 < folded.count, folded[index + 1].value < 128 else { continue }
                let pair = Int(first) << 7 | Int(folded[index + 1].value)
                guard pairStartsKeyword.contains(pair) else { continue }
                candidates = keywordTable[pair]
            } else {
                candidates = nonASCIIKeywords
            }
            if candidates.isEmpty { continue }
            for keyword in candidates where keyword.word[0] == folded[index] {
                let end = index + keyword.word.count
                guard folded.hasScalars(keyword.word, at: index) else { continue }
                // The credential name must end here: `password_id` and `tokens` are other names.
                if end < folded.count, folded[end].isWordCharacter || folded[end] == "_" { continue }
                if keyword.needsBoundary, index > 0, !isIdentifierBoundary(normalized, at: index) { continue }
                guard let value = valueAfterName(normalized, nameEnd: end, keyword: keyword) else { continue }
                let valueText = String(scalars: normalized[value])
                guard isPlausible(valueText, keyword: keyword) else { continue }
                let entropy = SecretValueShape.entropy(normalized[value])
                result.append(ScoredRange(
                    ruleID: GuardRuleID.secretCredential, score: entropy >= 3 ? 0.9 : 0.8, range: value,
                    detail: "value assigned to a credential name"
                ))
                consumedUntil = value.upperBound
                break
            }
        }
        return result + highEntropyNearCredentialWords(in: text, excluding: result.map(\.range))
    }

    private static func isIdentifierBoundary(_ normalized: [Unicode.Scalar], at index: Int) -> Bool {
        let previous = normalized[index - 1]
        if !previous.isWordCharacter { return true }
        // camelCase: `apiKey`, `dbPass`.
        return previous.properties.isLowercase && normalized[index].properties.isUppercase
    }

    /// Finds the value after a credential name: past a closing quote of the name,
    /// then `=`, `:`, `:=`, `=>`, `->`, ` is `, or a space after a
    /// command-line flag or before a quoted SQL value.
    private static func valueAfterName(_ scalars: [Unicode.Scalar], nameEnd: Int, keyword: Keyword) -> Range<Int>? {
        var position = nameEnd
        if position < scalars.count, scalars[position] == "\"" || scalars[position] == "'" { position += 1 }
        var sawSeparator = false
        var sawSpace = false
        while position < scalars.count, position - nameEnd < 6 {
            let scalar = scalars[position]
            if scalar == "=" || scalar == ":" || scalar == ">" || (scalar == "-" && position + 1 < scalars.count && scalars[position + 1] == ">") {
                sawSeparator = true
            } else if scalar == " " || scalar == "\t" {
                sawSpace = true
            } else {
                break
            }
            position += 1
        }
        if !sawSeparator, sawSpace, position + 3 <= scalars.count, String(scalars: scalars[position..<(position + 3)]).lowercased() == "is " {
            position += 3
            sawSeparator = true
        }
        guard position < scalars.count else { return nil }
        let opening = scalars[position]
        let isQuoted = opening == "\"" || opening == "'" || opening == "`"
        let isFlag = nameEnd - keyword.word.count > 0 && scalars[nameEnd - keyword.word.count - 1] == "-"
        let isWordKeyword = keyword.word.contains(" ") || ["bearer", "basic"].contains(String(scalars: keyword.word))
        guard sawSeparator || (sawSpace && (isQuoted || isFlag || isWordKeyword)) else { return nil }
        if isQuoted {
            let start = position + 1
            var end = start
            while end < scalars.count, scalars[end] != opening, scalars[end] != "\n" { end += 1 }
            return end > start ? start..<end : nil
        }
        var end = position
        while end < scalars.count, !scalars[end].isASCIIWhitespace, !valueTerminators.contains(scalars[end]) { end += 1 }
        while end > position, ".".unicodeScalars.contains(scalars[end - 1]) { end -= 1 }
        return end > position ? position..<end : nil
    }

    private static func isPlausible(_ value: String, keyword: Keyword) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard !typeNames.contains(value.lowercased()), !SecretValueShape.isPlaceholder(value) else { return false }
        // A lower-case snake or kebab identifier names a variable or a file, not a secret.
        let isIdentifier = scalars.allSatisfy { (0x61...0x7A).contains($0.value) || $0.isASCIIDigit || $0 == "_" || $0 == "-" || $0 == "." }
            && scalars.contains { $0 == "_" || $0 == "-" || $0 == "." } && scalars.first?.isASCIILetter == true
        if isIdentifier, !scalars.contains(where: \.isASCIIDigit) || scalars.filter(\.isASCIIDigit).count < 2 { return false }
        let classes = SecretValueShape.characterClasses(scalars)
        if keyword.isPassword {
            return scalars.count >= 4 && classes >= 2
        }
        return scalars.count >= 8 && classes >= 2 && SecretValueShape.entropy(scalars) >= 2.8
    }

    /// Finds the password of `scheme://user:password@host` URLs.
    ///
    /// - Parameter colons: ``AnchorPositions/colons`` of `scalars`.
    static func connectionStringPasswords(in scalars: [Unicode.Scalar], colons: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        let marker = Array("://".unicodeScalars)
        var searchFrom = 0
        while let found = ScannedText.firstRange(of: marker, in: scalars, at: colons, from: searchFrom) {
            searchFrom = found.upperBound
            var end = found.upperBound
            var colon = -1
            var at = -1
            while end < scalars.count, !scalars[end].isASCIIWhitespace, scalars[end] != "/", scalars[end] != "\"", scalars[end] != "'" {
                if scalars[end] == ":" && colon < 0 { colon = end }
                if scalars[end] == "@" { at = end }
                end += 1
            }
            guard colon > found.upperBound, at > colon + 1 else { continue }
            let password = String(scalars: scalars[(colon + 1)..<at])
            guard !SecretValueShape.isPlaceholder(password), password.count >= 3 else { continue }
            result.append((colon + 1)..<at)
        }
        return result
    }

    /// Base64 or hex strings of 20 or more characters with high entropy
    /// that follow a credential word on the same line within 40 characters.
    private static let credentialCues = ContextWords(["key", "token", "secret", "password", "credential", "api", "auth", "bearer", "signature", "sig"])

    static func highEntropyNearCredentialWords(in text: ScannedText, excluding: [Range<Int>]) -> [ScoredRange] {
        let cues = credentialCues
        let alphanumerics = ASCIISet.alphanumerics
        var result: [ScoredRange] = []
        let scalars = text.normalized
        // A candidate runs from the first letter or digit of a run of base64 characters to the run's end.
        for run in text.encodedRuns where run.count >= 20 {
            guard let start = run.first(where: { alphanumerics.contains(scalars[$0]) }) else { continue }
            let range = start..<run.upperBound
            guard range.count >= 20, !excluding.contains(where: { $0.overlaps(range) }) else { continue }
            // The cue test runs first because it rejects most long words and costs less than the shape tests.
            // Only a line break within the 40 scalars before the word can shorten the window.
            let windowStart = max(0, range.lowerBound - 40)
            let lineStart = text.folded[windowStart..<range.lowerBound].lastIndex(of: "\n").map { $0 + 1 } ?? windowStart
            let window = lineStart..<range.lowerBound
            guard cues.occur(near: window.upperBound..<window.upperBound, in: text.folded, before: window.count, after: 0) else { continue }
            let word = scalars[range]
            let isHex = word.allSatisfy { $0.isASCIIHexDigit }
            let entropy = SecretValueShape.entropy(word)
            guard entropy >= (isHex ? 3.0 : 3.7), SecretValueShape.characterClasses(word) >= 2,
                  !SecretValueShape.isPlaceholder(word) else { continue }
            result.append(ScoredRange(ruleID: GuardRuleID.secretHighEntropy, score: 0.75, range: range,
                                      detail: "high-entropy string after a credential word"))
        }
        return result
    }
}
