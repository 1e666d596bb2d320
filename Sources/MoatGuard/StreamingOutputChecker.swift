/// Checks a streamed answer chunk by chunk and releases only text whose
/// verdicts can no longer change.
///
/// After each chunk the whole answer so far is scanned again, and the text
/// is split at a boundary: everything before it is decided and released
/// (redacted as the policy says); the tail after it is held back because
/// a later chunk could still turn it into a finding. The tail starts at
/// the earliest of:
/// - the last two words, and a trailing run of digits and separators
///   (a phone or card number may continue);
/// - an unclosed `[`, `](`, `<` or a reference definition line;
/// - the start of a partial canary (its first letters at the very end);
/// - a finding that reaches the end of the text (a PEM block without its
///   END line, a URL still growing).
///
/// A blocking verdict in the decided text stops the stream: no more text
/// is released. The tail is capped at ``maximumHeldBack`` scalars so that
/// an unterminated construct cannot stall the stream.
///
/// NOTE: a cue word that arrives after its number was released (as in
/// "call 0471 12 34 56, my mobile") cannot recall the released number;
/// such a verdict is still reported, but the text has already left.
public struct StreamingOutputChecker: Sendable {
    /// Largest undecided tail, in Unicode scalars. Default 2048.
    public var maximumHeldBack = 2048

    private let outputGuard: OutputGuard
    private let viewerRoles: Set<String>
    private var buffer = ""
    private var released = 0
    private var reported: Set<String> = []
    public private(set) var isBlocked = false

    init(guard outputGuard: OutputGuard, viewerRoles: Set<String>) {
        self.outputGuard = outputGuard
        self.viewerRoles = viewerRoles
    }

    /// The text and verdicts one call releases.
    public struct Update: Sendable {
        /// Text that may be sent to the user now, already redacted.
        public var text: String
        /// Verdicts not returned by an earlier call.
        public var verdicts: [GuardVerdict]
        /// True once a blocking verdict fired; send nothing more.
        public var isBlocked: Bool
    }

    /// Adds the next chunk of the answer.
    public mutating func append(_ chunk: String) -> Update {
        buffer += chunk
        return advance(final: false)
    }

    /// Ends the stream and releases the held-back tail.
    public mutating func finish() -> Update {
        advance(final: true)
    }

    private mutating func advance(final: Bool) -> Update {
        guard !isBlocked else { return Update(text: "", verdicts: [], isBlocked: true) }
        let text = ScannedText(buffer)
        let findings = outputGuard.findings(in: text, original: buffer)
        let count = text.original.count

        var boundary = final ? count : heldBackStart(text, findings: findings)
        if !final { boundary = max(boundary, count - maximumHeldBack) }
        // A finding that crosses the boundary is undecided as a whole.
        for finding in findings {
            guard let span = finding.span, span.lowerBound < boundary, span.upperBound > boundary || (!final && span.upperBound >= count) else { continue }
            boundary = min(boundary, span.lowerBound)
        }
        boundary = max(boundary, released)

        let decided = findings.filter { finding in
            guard let span = finding.span else { return final }
            return span.upperBound <= boundary
        }
        let resolved = VerdictResolver.resolve(decided, in: text, original: buffer, policy: outputGuard.policy, viewerRoles: viewerRoles)
        var newVerdicts: [GuardVerdict] = []
        for verdict in resolved.verdicts {
            let key = "\(verdict.ruleID)|\(verdict.span?.description ?? "-")"
            if reported.insert(key).inserted { newVerdicts.append(verdict) }
        }
        if resolved.isBlocked {
            isBlocked = true
            return Update(text: "", verdicts: newVerdicts, isBlocked: true)
        }

        let redactions = decided.compactMap { finding -> (Range<Int>, String)? in
            guard let span = finding.span, span.lowerBound >= released else { return nil }
            let action = resolved.verdicts.first { $0.ruleID == finding.ruleID && $0.span == span }?.action
            guard action == .redact || action == .block else { return nil }
            return ((span.lowerBound - released)..<(span.upperBound - released), finding.replacement)
        }
        let segment = Array(text.original[released..<boundary])
        released = boundary
        return Update(text: VerdictResolver.redact(segment, redactions), verdicts: newVerdicts, isBlocked: false)
    }

    private func heldBackStart(_ text: ScannedText, findings: [Finding]) -> Int {
        let scalars = text.original
        var start = scalars.count

        // The last two words.
        var index = scalars.count
        var words = 0
        while index > 0, words < 2 {
            while index > 0, scalars[index - 1].isASCIIWhitespace { index -= 1 }
            while index > 0, !scalars[index - 1].isASCIIWhitespace { index -= 1 }
            words += 1
        }
        start = min(start, index)

        // A trailing run of digits and separators.
        var digitsStart = index
        while digitsStart > 0, scalars[digitsStart - 1].isASCIIDigit || DigitRun.isSeparator(scalars[digitsStart - 1]) || scalars[digitsStart - 1] == "+" {
            digitsStart -= 1
        }
        start = min(start, digitsStart)

        // Unclosed Markdown or HTML on the current line, or a reference definition line.
        let lineStart = scalars.lastIndex(of: "\n").map { $0 + 1 } ?? 0
        var open: Int?
        for position in lineStart..<scalars.count {
            switch scalars[position] {
            case "[", "<", "(":
                if open == nil { open = position }
            case "]":
                if position + 1 >= scalars.count || (scalars[position + 1] != "(" && scalars[position + 1] != "[" && scalars[position + 1] != ":") { open = nil }
            case ">", ")":
                open = nil
            default:
                break
            }
        }
        if let open {
            let imageStart = open > 0 && scalars[open - 1] == "!" ? open - 1 : open
            start = min(start, imageStart)
        }
        if lineStart < scalars.count, scalars[lineStart...].drop(while: { $0 == " " }).first == "[" {
            start = min(start, lineStart)
        }

        if let partial = outputGuard.canary.partialMatchStart(in: text) {
            start = min(start, partial)
        }
        return start
    }
}
