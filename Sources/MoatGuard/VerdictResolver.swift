/// Turns raw findings into verdicts and a redacted text under a policy.
enum VerdictResolver {
    /// Applies allow-lists, minimum scores and actions to `findings`, then
    /// redacts the spans whose action is `redact` or `block`.
    ///
    /// - Parameter viewerRoles: roles of the person who will read the text;
    ///   a role in ``GuardPolicy/rolesSeeingPersonalData`` turns `redact`
    ///   into `flag` for `pii.*` rules.
    static func resolve(
        _ findings: [Finding],
        in text: ScannedText,
        original: String,
        policy: GuardPolicy,
        viewerRoles: Set<String> = []
    ) -> GuardResult {
        let seesPersonalData = !policy.rolesSeeingPersonalData.isDisjoint(with: viewerRoles)
        var applicable: [(finding: Finding, action: GuardAction)] = []
        for finding in findings {
            guard finding.score >= policy.minimumScore(for: finding.ruleID) else { continue }
            if !finding.matchedText.isEmpty, policy.allows(finding.matchedText, for: finding.ruleID) { continue }
            var action = policy.action(for: finding.ruleID)
            if seesPersonalData, action == .redact, GuardRuleID.isPersonalData(finding.ruleID) {
                action = .flag
            }
            applicable.append((finding, action))
        }
        applicable.sort { ($0.finding.span?.lowerBound ?? -1, $0.finding.ruleID) < ($1.finding.span?.lowerBound ?? -1, $1.finding.ruleID) }

        let verdicts = applicable.map { entry in
            GuardVerdict(
                ruleID: entry.finding.ruleID,
                action: entry.action,
                score: (entry.finding.score * 1000).rounded() / 1000,
                span: entry.finding.span,
                reason: "\(entry.finding.ruleID): \(entry.finding.detail)"
            )
        }
        let redactions = applicable.filter { $0.action == .redact || $0.action == .block }.compactMap { entry -> (Range<Int>, String)? in
            guard let span = entry.finding.span else { return nil }
            return (span, entry.finding.replacement)
        }
        let redacted = redactions.isEmpty ? original : redact(original, redactions)
        return GuardResult(text: redacted, verdicts: verdicts, isBlocked: applicable.contains { $0.action == .block })
    }

    /// Replaces each span (scalar offsets into `text`) with its replacement,
    /// copying the UTF-8 bytes between spans unchanged.
    static func redact(_ text: String, _ redactions: [(Range<Int>, String)]) -> String {
        let merged = merge(redactions)
        var text = text
        return text.withUTF8 { bytes in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + 64)
            // Spans count Unicode scalars, and a scalar starts at every byte that is not a UTF-8 continuation byte.
            var byteOffset = 0
            var scalarOffset = 0
            func advance(to target: Int) -> Int {
                while scalarOffset < target, byteOffset < bytes.count {
                    byteOffset += 1
                    while byteOffset < bytes.count, bytes[byteOffset] & 0xC0 == 0x80 { byteOffset += 1 }
                    scalarOffset += 1
                }
                return byteOffset
            }
            var copiedUpTo = 0
            for (span, replacement) in merged {
                let start = advance(to: span.lowerBound)
                output.append(contentsOf: bytes[copiedUpTo..<start])
                output.append(contentsOf: replacement.utf8)
                copiedUpTo = advance(to: span.upperBound)
            }
            output.append(contentsOf: bytes[copiedUpTo...])
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Sorts spans and merges overlapping ones, keeping the first replacement.
    static func merge(_ redactions: [(Range<Int>, String)]) -> [(Range<Int>, String)] {
        let ordered = redactions.sorted { $0.0.lowerBound < $1.0.lowerBound }
        var merged: [(Range<Int>, String)] = []
        for (span, replacement) in ordered {
            if let last = merged.last, span.lowerBound < last.0.upperBound {
                merged[merged.count - 1].0 = last.0.lowerBound..<max(last.0.upperBound, span.upperBound)
            } else {
                merged.append((span, replacement))
            }
        }
        return merged
    }

    /// Replaces each span with its replacement; overlapping spans merge and
    /// keep the first span's replacement.
    static func redact(_ scalars: [Unicode.Scalar], _ redactions: [(Range<Int>, String)]) -> String {
        let ordered = redactions.sorted { $0.0.lowerBound < $1.0.lowerBound }
        var merged: [(Range<Int>, String)] = []
        for (span, replacement) in ordered {
            if let last = merged.last, span.lowerBound < last.0.upperBound {
                merged[merged.count - 1].0 = last.0.lowerBound..<max(last.0.upperBound, span.upperBound)
            } else {
                merged.append((span, replacement))
            }
        }
        var output = [UInt8]()
        output.reserveCapacity(scalars.count + 64)
        func append(_ slice: ArraySlice<Unicode.Scalar>) {
            for scalar in slice { UTF8.encode(scalar) { output.append($0) } }
        }
        var position = 0
        for (span, replacement) in merged {
            let start = min(span.lowerBound, scalars.count)
            if start > position { append(scalars[position..<start]) }
            output.append(contentsOf: replacement.utf8)
            position = max(position, min(span.upperBound, scalars.count))
        }
        if position < scalars.count { append(scalars[position...]) }
        return String(decoding: output, as: UTF8.self)
    }
}
