import Foundation

/// Judges the links and images of an answer: the scheme must be `http`,
/// `https` or `mailto` (or the URL relative), the host must be on the
/// allow-list, and no URL may carry data out in its path, query or
/// fragment, whatever its host.
struct LinkScanner: Sendable {
    /// Lower-case host names; an entry `*.example.com` allows every subdomain.
    var allowedHosts: Set<String>
    var canary: CanaryMatcher

    func scan(_ scalars: [Unicode.Scalar], policy: GuardPolicy) -> [Finding] {
        var findings: [Finding] = []
        for link in MarkdownLinkParser.links(in: scalars) {
            let components = URLComponents(string: link.url)
            let scheme = components?.scheme?.lowercased()
            let host = components?.host?.lowercased() ?? ""
            let isRelative = scheme == nil && components != nil && !link.url.hasPrefix("//")
            let isSafeScheme = isRelative || ["http", "https", "mailto"].contains(scheme ?? "")
            let hostAllowed = isRelative || scheme == "mailto" || isAllowed(host, policy: policy, kind: link.kind)

            if let carried = carriedData(in: link.url) {
                findings.append(finding(GuardRuleID.outputLinkData, link, score: 0.95, "URL carries \(carried)", keepText: false, matched: host))
            } else if link.kind == .image, !(isSafeScheme && hostAllowed) {
                findings.append(finding(GuardRuleID.outputImage, link, score: 0.9, isSafeScheme ? "image from a host outside the allow-list" : "image with an unsafe URL scheme", keepText: false, matched: host))
            } else if !isSafeScheme {
                findings.append(finding(GuardRuleID.outputLink, link, score: 0.95, "link with an unsafe URL scheme", keepText: true, matched: host))
            } else if !hostAllowed {
                findings.append(finding(GuardRuleID.outputLink, link, score: 0.8, "link to a host outside the allow-list", keepText: true, matched: host))
            }
        }
        return findings
    }

    private func isAllowed(_ host: String, policy: GuardPolicy, kind: MarkdownLink.Kind) -> Bool {
        guard !host.isEmpty else { return false }
        let rule = kind == .image ? GuardRuleID.outputImage : GuardRuleID.outputLink
        let entries = allowedHosts.union(policy.allowLists[rule] ?? [])
        if entries.contains(host) { return true }
        return entries.contains { $0.hasPrefix("*.") && host.hasSuffix($0.dropFirst()) }
    }

    private func finding(_ ruleID: String, _ link: MarkdownLink, score: Double, _ detail: String, keepText: Bool, matched: String) -> Finding {
        var finding = Finding(ruleID: ruleID, score: score, span: link.range, detail: detail, matchedText: "")
        switch link.kind {
        case .definition:
            finding.customReplacement = ""
        case .link where keepText && !link.text.isEmpty:
            finding.customReplacement = "\(link.text) [REDACTED:\(ruleID)]"
        default:
            break
        }
        return finding
    }

    /// Describes what a URL smuggles out, if anything: the canary, a secret,
    /// personal data, or a long random-looking value.
    func carriedData(in url: String) -> String? {
        guard let schemeEnd = url.range(of: "://").map({ url[$0.upperBound...] }) ?? Optional(url[...]) else { return nil }
        let afterHost = schemeEnd.drop { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !afterHost.isEmpty else { return nil }
        let decoded = String(afterHost).removingPercentEncoding ?? String(afterHost)
        if canary.contains(decoded) { return "the system prompt canary" }
        let text = ScannedText(decoded)
        if !SecretScanner.scan(text).isEmpty { return "a secret" }
        if !PersonalDataScanner.scan(text).filter({ $0.score >= 0.5 && $0.ruleID != GuardRuleID.piiPhone }).isEmpty { return "personal data" }
        for segment in decoded.split(whereSeparator: { "/?&=#;,.".contains($0) }) where segment.count >= 24 {
            let scalars = Array(segment.unicodeScalars)
            let isHex = scalars.allSatisfy { $0.isASCIIHexDigit }
            if SecretValueShape.entropy(scalars) >= (isHex ? 3.0 : 3.6) { return "a long encoded value" }
        }
        return nil
    }
}

/// Finds a per-request canary in text, also when it is split by spaces or
/// punctuation, cased differently, or encoded as base64 or hex.
struct CanaryMatcher: Sendable {
    private let letters: [Unicode.Scalar]
    /// Encoded forms of the canary and whether matching them is case-sensitive.
    private let encodings: [(text: [Unicode.Scalar], caseSensitive: Bool)]

    init(_ canary: String) {
        letters = ScannedText(canary).folded.filter(\.isWordCharacter)
        let bytes = Data(canary.utf8)
        let base64 = bytes.base64EncodedString().trimmingCharacters(in: CharacterSet(charactersIn: "="))
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        encodings = canary.isEmpty ? [] : [(Array(base64.unicodeScalars), true), (Array(hex.unicodeScalars), false)]
    }

    var isEnabled: Bool { letters.count >= 4 }

    func contains(_ text: String) -> Bool {
        !ranges(in: ScannedText(text)).isEmpty
    }

    /// Original scalar ranges of every occurrence.
    func ranges(in text: ScannedText) -> [Range<Int>] {
        guard isEnabled else { return [] }
        var projection: [Unicode.Scalar] = []
        var positions: [Int] = []
        for (index, scalar) in text.folded.enumerated() where scalar.isWordCharacter {
            projection.append(scalar)
            positions.append(index)
        }
        var result: [Range<Int>] = []
        var searchFrom = 0
        while let found = InjectionScanner.firstRange(of: letters, in: projection, from: searchFrom) {
            result.append(text.originalSpan(positions[found.lowerBound]..<(positions[found.upperBound - 1] + 1)))
            searchFrom = found.upperBound
        }
        for encoding in encodings {
            var from = 0
            let haystack = encoding.caseSensitive ? text.normalized : text.folded
            while let found = InjectionScanner.firstRange(of: encoding.text, in: haystack, from: from) {
                result.append(text.originalSpan(found))
                from = found.upperBound
            }
        }
        return result
    }

    /// Finds the longest suffix of `text`'s letters and digits that is a
    /// proper prefix of the canary's letters and digits. Returns the original
    /// offset where that suffix starts, or nil when there is none.
    func partialMatchStart(in text: ScannedText) -> Int? {
        guard isEnabled else { return nil }
        var projection: [Unicode.Scalar] = []
        var positions: [Int] = []
        for (index, scalar) in text.folded.enumerated().reversed() where scalar.isWordCharacter {
            projection.insert(scalar, at: 0)
            positions.insert(index, at: 0)
            if projection.count >= letters.count - 1 { break }
        }
        var length = min(projection.count, letters.count - 1)
        while length > 0 {
            if Array(projection.suffix(length)) == Array(letters.prefix(length)) {
                return text.origin[positions[positions.count - length]]
            }
            length -= 1
        }
        return nil
    }
}
