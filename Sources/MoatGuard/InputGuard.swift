/// Scans user prompts before they reach the model: prompt injection and
/// jailbreaks, hidden or encoded text, personal data and secrets.
///
/// Scanning is synchronous, allocates per call only, and never throws;
/// external classifiers are opt-in (see ``ExternalClassifier``).
public struct InputGuard: Sendable {
    public let policy: GuardPolicy

    /// - Parameter policy: actions and allow-lists; ``GuardPolicy/default`` fails closed.
    public init(policy: GuardPolicy = .default) {
        self.policy = policy
    }

    /// Scans `prompt` and applies the policy.
    ///
    /// Spans are Unicode scalar offsets into `prompt`. The returned text
    /// has redacted spans replaced by `[REDACTED:<rule id>]` and invisible
    /// characters removed.
    public func scan(_ prompt: String) -> GuardResult {
        let text = ScannedText(prompt)
        return VerdictResolver.resolve(findings(in: text), in: text, original: prompt, policy: policy)
    }

    func findings(in text: ScannedText) -> [Finding] {
        let tokens = WordTokenizer.tokens(in: text.folded)
        var findings = InjectionScanner.userPrompt.scan(text, tokens: tokens)
        findings += HiddenTextScanner.scan(text, tokens: tokens, injection: .userPrompt)
        findings += PersonalDataScanner.scan(text)
        findings += SecretScanner.scan(text)
        return findings
    }
}

/// Scans passages retrieved from documents before they go into the
/// prompt: instructions aimed at the model (reported as
/// `injection.indirect`), hidden text, personal data and secrets.
///
/// It has a policy of its own, so a deployment can, for example, redact
/// personal data in passages but not in prompts, or use a stricter policy
/// for documents of a higher classification by keeping one guard per
/// classification.
public struct RetrievedContentGuard: Sendable {
    public let policy: GuardPolicy

    public init(policy: GuardPolicy = .default) {
        self.policy = policy
    }

    /// Scans one passage; when the result is blocked, the passage must be
    /// left out of the prompt.
    public func scan(_ passage: String) -> GuardResult {
        let text = ScannedText(passage)
        let tokens = WordTokenizer.tokens(in: text.folded)
        var findings = InjectionScanner.retrievedPassage.scan(text, tokens: tokens)
        findings += HiddenTextScanner.scan(text, tokens: tokens, injection: .retrievedPassage)
        findings += PersonalDataScanner.scan(text)
        findings += SecretScanner.scan(text)
        return VerdictResolver.resolve(findings, in: text, original: passage, policy: policy)
    }
}
