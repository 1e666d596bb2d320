import MoatCore

/// A remote safety classifier, such as Azure AI Content Safety or a
/// safety model behind an OpenAI-compatible endpoint.
///
/// External classifiers are off by default: nothing calls them unless a
/// caller passes them to ``InputGuard/scan(_:classifiers:)`` (or the
/// retrieved-content and output counterparts). Their verdicts take the
/// action the policy assigns to their rule ids, like built-in ones.
public protocol ExternalClassifier: Sendable {
    /// Classifies `text`; an empty array means nothing was found.
    ///
    /// - Throws: ``ExternalClassifierError`` when the service cannot be
    ///   reached or answers with something other than the expected shape.
    func classify(_ text: String) async throws -> [GuardVerdict]
}

/// Why an external classifier produced no verdicts.
public struct ExternalClassifierError: Error, Sendable, CustomStringConvertible {
    /// `request_failed` (transport), `unexpected_status` or `invalid_response`.
    public let code: String
    /// Names the endpoint host and what was wrong; never the API key or the text.
    public let reason: String

    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}

extension GuardRuleID {
    /// Azure Prompt Shields found a user prompt attack.
    public static let externalPromptAttack = "external.prompt-attack"
    /// Azure Prompt Shields found a document attack.
    public static let externalDocumentAttack = "external.document-attack"
    /// A harm category (hate, sexual, violence, self-harm) at or above the classifier's severity threshold.
    public static func externalHarm(_ category: String) -> String { "external.harm.\(category)" }
    /// A safety judge model answered "unsafe".
    public static let externalJudgeUnsafe = "external.judge-unsafe"
}

enum ExternalClassification {
    /// Runs `classifiers` concurrently and applies `policy`. A classifier
    /// that fails yields an `external.unavailable` verdict, which blocks by
    /// default: a deployment that turned a classifier on relies on it.
    static func verdicts(for text: String, classifiers: [any ExternalClassifier], policy: GuardPolicy, logger: Logger) async -> [GuardVerdict] {
        await withTaskGroup(of: [GuardVerdict].self) { group in
            for (index, classifier) in classifiers.enumerated() {
                group.addTask {
                    do {
                        return try await classifier.classify(text).compactMap { verdict in
                            guard verdict.score >= policy.minimumScore(for: verdict.ruleID) else { return nil }
                            var applied = verdict
                            applied.action = policy.action(for: verdict.ruleID)
                            return applied
                        }
                    } catch {
                        let code = (error as? ExternalClassifierError)?.code ?? "request_failed"
                        logger.error("external classifier failed", metadata: ["moat.guard.classifier": "\(type(of: classifier))", "moat.error.code": code])
                        return [GuardVerdict(
                            ruleID: GuardRuleID.externalUnavailable, action: policy.action(for: GuardRuleID.externalUnavailable),
                            score: 1, span: nil, reason: "\(GuardRuleID.externalUnavailable): classifier \(index + 1) failed with \(code)"
                        )]
                    }
                }
            }
            var all: [GuardVerdict] = []
            for await verdicts in group { all += verdicts }
            return all.sorted { $0.ruleID < $1.ruleID }
        }
    }

    static func merge(_ result: GuardResult, _ external: [GuardVerdict]) -> GuardResult {
        var merged = result
        merged.verdicts += external
        merged.isBlocked = merged.isBlocked || external.contains { $0.action == .block }
        return merged
    }
}

extension InputGuard {
    /// Scans with the built-in rules and then with `classifiers`.
    public func scan(_ prompt: String, classifiers: [any ExternalClassifier], logger: Logger = .disabled) async -> GuardResult {
        let external = await ExternalClassification.verdicts(for: prompt, classifiers: classifiers, policy: policy, logger: logger)
        return ExternalClassification.merge(scan(prompt), external)
    }
}

extension RetrievedContentGuard {
    /// Scans with the built-in rules and then with `classifiers`.
    public func scan(_ passage: String, classifiers: [any ExternalClassifier], logger: Logger = .disabled) async -> GuardResult {
        let external = await ExternalClassification.verdicts(for: passage, classifiers: classifiers, policy: policy, logger: logger)
        return ExternalClassification.merge(scan(passage), external)
    }
}

extension OutputGuard {
    /// Scans with the built-in rules and then with `classifiers`.
    public func scan(_ answer: String, viewerRoles: Set<String> = [], classifiers: [any ExternalClassifier], logger: Logger = .disabled) async -> GuardResult {
        let external = await ExternalClassification.verdicts(for: answer, classifiers: classifiers, policy: policy, logger: logger)
        return ExternalClassification.merge(scan(answer, viewerRoles: viewerRoles), external)
    }
}
