/// What a guard does with the text a rule fired on.
public enum GuardAction: String, Sendable, Codable, CaseIterable {
    /// Reject the whole text: the prompt is not answered, the passage is not
    /// used, the answer is withheld.
    case block
    /// Replace the matched span with `[REDACTED:<rule id>]` and go on.
    case redact
    /// Keep the text unchanged and report the verdict, for example to the audit log.
    case flag
    /// Record the verdict only, so that a new rule can be measured before it
    /// is enforced. Behaves like ``flag`` for the text.
    case shadow

    /// Severity order used when two verdicts cover the same span: block, redact, flag, shadow.
    var severity: Int {
        switch self {
        case .block: 3
        case .redact: 2
        case .flag: 1
        case .shadow: 0
        }
    }
}

/// One finding of one rule in a scanned text.
///
/// A verdict never contains the matched value, so it can go into logs and
/// the audit record as it is.
public struct GuardVerdict: Sendable, Codable, Equatable {
    /// The stable rule id, for example `pii.iban`, `injection.direct` or `output.canary`.
    public var ruleID: String
    /// The action the policy assigned to this rule.
    public var action: GuardAction
    /// Confidence in 0...1. Checksum-validated identifiers score 1; heuristic
    /// rules score lower.
    public var score: Double
    /// The matched range as **Unicode scalar offsets** into the scanned text
    /// (`text.unicodeScalars`), the way Python indexes a `str`. Nil for
    /// findings about the whole text.
    public var span: Range<Int>?
    /// Why the rule fired. Starts with the rule id and never quotes the matched value.
    public var reason: String

    public init(ruleID: String, action: GuardAction, score: Double, span: Range<Int>?, reason: String) {
        self.ruleID = ruleID
        self.action = action
        self.score = score
        self.span = span
        self.reason = reason
    }
}

/// The outcome of scanning one text.
public struct GuardResult: Sendable {
    /// The text after redaction; equal to the input when nothing was redacted.
    /// When ``isBlocked`` is true the caller must not use it.
    public var text: String
    /// Every finding, in span order, including `flag` and `shadow` ones.
    public var verdicts: [GuardVerdict]
    /// True when at least one verdict's action is ``GuardAction/block``.
    public var isBlocked: Bool

    public init(text: String, verdicts: [GuardVerdict], isBlocked: Bool) {
        self.text = text
        self.verdicts = verdicts
        self.isBlocked = isBlocked
    }

    /// The distinct rule ids that fired, sorted, for the audit record.
    public var ruleIDs: [String] {
        Array(Set(verdicts.map(\.ruleID))).sorted()
    }
}
