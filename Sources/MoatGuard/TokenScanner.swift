import Foundation

/// Finds vendor tokens from ``APIKeyPatterns``, JWTs, webhook URLs and a
/// few vendor layouts without a fixed prefix (Telegram and Discord bot
/// tokens, Azure client secrets, Terraform Cloud tokens).
enum TokenScanner {
    static func tokens(in scalars: [Unicode.Scalar]) -> [ScoredRange] {
        var result: [ScoredRange] = []
        var index = 0
        var wordsCheckedUntil = 0
        let count = scalars.count
        let patternTable = APIKeyPatterns.byFirstScalar
        let patternStarts = APIKeyPatterns.firstScalars
        let patternPairs = APIKeyPatterns.firstPairs
        // Local copies of the static sets, so the per-scalar tests skip the lazy-initialization check.
        let characters = tokenCharacters
        let alphanumerics = ASCIISet.alphanumerics
        let openers = wordOpeners
        let trailers = wordTrailers
        func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
            characters.contains(scalar)
        }
        while index < count {
            let previous: Unicode.Scalar? = index > 0 ? scalars[index - 1] : nil
            if let previous, alphanumerics.contains(previous) {
                index += 1
                continue
            }
            if patternStarts.contains(scalars[index]), index + 1 < count, scalars[index + 1].value < 128,
               patternPairs.contains(Int(scalars[index].value) << 7 | Int(scalars[index + 1].value)),
               let match = prefixed(scalars, at: index, patternTable: patternTable) {
                result.append(match)
                index = match.range.upperBound
                continue
            }
            // Each word gets one layout check; its inner `/` or `=` do not start new words.
            let startsWord = index >= wordsCheckedUntil && isTokenCharacter(scalars[index])
                && (previous.map { !isTokenCharacter($0) || openers.contains($0) } ?? true)
            guard startsWord else {
                index += 1
                continue
            }
            var wordEnd = index
            var isAlphanumericWord = true
            while wordEnd < count, isTokenCharacter(scalars[wordEnd]) {
                if !alphanumerics.contains(scalars[wordEnd]) { isAlphanumericWord = false }
                wordEnd += 1
            }
            wordsCheckedUntil = wordEnd
            let fullWordEnd = wordEnd
            while wordEnd > index + 1, trailers.contains(scalars[wordEnd - 1]) { wordEnd -= 1 }
            if let match = layout(scalars, word: index..<wordEnd) {
                result.append(match)
                index = match.range.upperBound
            } else if isAlphanumericWord {
                // Every later position of the word, and the one after it, follows a letter or digit, so none starts a match.
                index = fullWordEnd + 1
            } else {
                index += 1
            }
        }
        return result
    }

    private static let tokenCharacters = ASCIISet.alphanumerics.union(ASCIISet("-_.:/~+="))
    private static let wordOpeners = ASCIISet(":/=")
    private static let wordTrailers = ASCIISet(".:/=")

    /// Matches a vendor prefix at `start`, followed by a body of the vendor's alphabet and length.
    private static func prefixed(_ scalars: [Unicode.Scalar], at start: Int, patternTable: [[APIKeyPatterns.CompiledPattern]]) -> ScoredRange? {
        if start > 0, scalars[start - 1].isASCIIAlphanumeric { return nil }
        guard scalars[start].value < 128 else { return nil }
        let candidates = patternTable[Int(scalars[start].value)]
        for pattern in candidates {
            let prefix = pattern.prefixScalars
            guard start + prefix.count < scalars.count, scalars.hasScalars(prefix, at: start) else { continue }
            let bodyStart = start + prefix.count
            var bodyEnd = bodyStart
            while bodyEnd < scalars.count, pattern.alphabet.contains(scalars[bodyEnd]), bodyEnd - bodyStart < pattern.maximumLength {
                bodyEnd += 1
            }
            let length = bodyEnd - bodyStart
            let overflows = bodyEnd < scalars.count && scalars[bodyEnd].isASCIIAlphanumeric
            guard length >= pattern.minimumLength, !overflows else { continue }
            let body = scalars[bodyStart..<bodyEnd]
            let bodyText = String(scalars: body)
            guard !SecretValueShape.isPlaceholder(bodyText), SecretValueShape.entropy(body) >= 2.5 else { return nil }
            return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.95, range: start..<bodyEnd,
                               detail: "\(pattern.vendor) with its published prefix and length")
        }
        return nil
    }

    private static let webhookMarkers = ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/", "hooks.slack.com/services/", "hooks.slack.com/workflows/"]
        .map { Array($0.unicodeScalars) }

    /// Matches formats recognised by their overall layout rather than a prefix.
    private static func layout(_ scalars: [Unicode.Scalar], word: Range<Int>) -> ScoredRange? {
        guard word.count >= 20 else { return nil }
        // One pass counts the separators that the layouts below need, so most words are rejected without copying them.
        var dots = 0, colons = 0, hasSlash = false
        for scalar in scalars[word] {
            switch scalar {
            case ".": dots += 1
            case ":": colons += 1
            case "/": hasSlash = true
            default: break
            }
        }
        let first = word.lowerBound
        let mayBeJWT = scalars[first] == "e" && scalars[first + 1] == "y" && scalars[first + 2] == "J"
        let mayBeEntra = (38...42).contains(word.count) && scalars[first + 3].isASCIIDigit && scalars[first + 4] == "Q" && scalars[first + 5] == "~"
        guard mayBeJWT || hasSlash || dots == 2 || colons == 1 || mayBeEntra else { return nil }
        guard !SecretValueShape.isPlaceholder(scalars[word]) else { return nil }
        let text = String(scalars: scalars[word])
        if mayBeJWT, let jwt = JWTShape.match(text) {
            return ScoredRange(ruleID: GuardRuleID.secretJWT, score: jwt, range: word.lowerBound..<(word.lowerBound + JWTShape.length(text)),
                               detail: "JSON Web Token with a JSON header and payload")
        }
        if hasSlash {
            let wordScalars = Array(scalars[word])
            for marker in webhookMarkers {
                if let found = InjectionScanner.firstRange(of: marker, in: wordScalars), wordScalars.count - found.upperBound >= 20 {
                    return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.9, range: word, detail: "webhook URL that embeds its secret")
                }
            }
        }
        let parts = dots == 2 ? text.split(separator: ".", omittingEmptySubsequences: false) : []
        if parts.count == 3, parts[1] == "atlasv1", parts[0].count >= 12, parts[2].count >= 40 {
            return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.9, range: word, detail: "Terraform Cloud token")
        }
        if parts.count == 3, let first = parts[0].first, "MNO".contains(first), (23...28).contains(parts[0].count),
           parts[1].count == 6, parts[2].count >= 27, SecretValueShape.entropy(parts[2].unicodeScalars) >= 3.5 {
            return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.85, range: word, detail: "Discord bot token")
        }
        let colon = colons == 1 ? text.split(separator: ":") : []
        if colon.count == 2, (8...10).contains(colon[0].count), colon[0].allSatisfy(\.isNumber),
           colon[1].hasPrefix("AA"), colon[1].count >= 35 {
            return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.9, range: word, detail: "Telegram bot token")
        }
        if mayBeEntra {
            return ScoredRange(ruleID: GuardRuleID.secretAPIKey, score: 0.85, range: word, detail: "Microsoft Entra client secret")
        }
        return nil
    }
}

/// The compact JWS serialisation of a JWT (RFC 7519 §3): base64url JSON
/// header and payload, and a signature part that may be empty.
enum JWTShape {
    /// Returns the score when `text` starts with a JWT, else nil.
    static func match(_ text: String) -> Double? {
        guard text.hasPrefix("eyJ") else { return nil }
        let parts = text.prefix(length(text)).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].hasPrefix("eyJ"), parts[0].count >= 10, parts[1].count >= 10 else { return nil }
        guard let header = decode(parts[0]), header.contains("\"alg\"") || header.contains("\"typ\"") else { return 0.7 }
        return 0.95
    }

    /// Returns the length of the leading `header.payload.signature` run.
    static func length(_ text: String) -> Int {
        var dots = 0
        var count = 0
        for scalar in text.unicodeScalars {
            if scalar == "." {
                dots += 1
                if dots == 3 { break }
            } else if !(scalar.isASCIIAlphanumeric || scalar == "-" || scalar == "_") {
                break
            }
            count += 1
        }
        return count
    }

    static func decode(_ part: Substring) -> String? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
