/// Scans model answers before they reach the user: personal data and
/// secrets, the system-prompt canary, toxic language, links and images
/// that point outside an allow-list or carry data out, and citations of
/// documents that were not retrieved.
///
/// Create one per request: the canary and the retrieved document ids
/// belong to that request.
public struct OutputGuard: Sendable {
    public let policy: GuardPolicy
    let canary: CanaryMatcher
    let retrievedDocumentIDs: Set<String>
    let links: LinkScanner
    let toxicity: any ToxicityClassifier

    /// - Parameters:
    ///   - policy: actions and allow-lists; ``GuardPolicy/default`` fails closed.
    ///   - canary: a random string placed in this request's system prompt;
    ///     an answer containing it (in any case, split by punctuation, or
    ///     base64 or hex encoded) is an `output.canary` leak. Canaries with
    ///     fewer than four letters and digits are ignored, so use at least 16
    ///     random characters.
    ///   - retrievedDocumentIDs: the references the answer may cite, in
    ///     the form it cites them.
    ///   - allowedLinkHosts: lower-case host names links and images may
    ///     point to; `*.example.com` allows subdomains. Empty allows none.
    ///   - toxicity: the classifier behind `output.toxic`; the built-in
    ///     word list by default.
    public init(
        policy: GuardPolicy = .default,
        canary: String,
        retrievedDocumentIDs: Set<String>,
        allowedLinkHosts: Set<String>,
        toxicity: any ToxicityClassifier = LexiconToxicityClassifier()
    ) {
        self.policy = policy
        self.canary = CanaryMatcher(canary)
        self.retrievedDocumentIDs = retrievedDocumentIDs
        self.links = LinkScanner(allowedHosts: Set(allowedLinkHosts.map { $0.lowercased() }), canary: self.canary)
        self.toxicity = toxicity
    }

    /// Scans a complete answer for a reader without special roles.
    public func scan(_ answer: String) -> GuardResult {
        scan(answer, viewerRoles: [])
    }

    /// Scans a complete answer for a reader with `viewerRoles`; roles in
    /// ``GuardPolicy/rolesSeeingPersonalData`` see personal data unredacted.
    public func scan(_ answer: String, viewerRoles: Set<String>) -> GuardResult {
        let text = ScannedText(answer)
        return VerdictResolver.resolve(findings(in: text, original: answer), in: text, original: answer, policy: policy, viewerRoles: viewerRoles)
    }

    func findings(in text: ScannedText, original: String) -> [Finding] {
        var findings: [Finding] = canary.ranges(in: text).map { range in
            Finding(ruleID: GuardRuleID.outputCanary, score: 1, span: range, detail: "answer contains the system prompt canary")
        }
        findings += links.scan(text.original, policy: policy)
        findings += CitationScanner.scan(text.original, retrieved: retrievedDocumentIDs)
        findings += toxicity.findToxicity(in: original).map { found in
            Finding(ruleID: GuardRuleID.outputToxic, score: found.score, span: found.span, detail: "\(found.category) language")
        }
        findings += SecretScanner.scan(text)
        findings += PersonalDataScanner.scan(text)
        return findings
    }

    /// Starts an incremental check of a streamed answer.
    public func streamingChecker(viewerRoles: Set<String> = []) -> StreamingOutputChecker {
        StreamingOutputChecker(guard: self, viewerRoles: viewerRoles)
    }
}
