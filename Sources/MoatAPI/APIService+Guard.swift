import Foundation
import MoatData
import MoatGuard
import MoatJSON

/// The guardrail steps of a chat request and how their verdicts are reported.
///
/// There are three checkpoints, each with its own policy. The question is
/// scanned before retrieval. Every retrieved passage is scanned before it
/// reaches the answerer: indirect prompt injection is dropped and personal
/// data redacted. The answer is scanned before it reaches the user for
/// secrets, personal data, the per-request canary, links and images that
/// carry data out, and citations of passages that were not retrieved. Every verdict goes into the audit
/// record; what the user lost is told in `notices`.
struct GuardedChat {
    let settings: GuardrailSettings
    private(set) var verdicts: [JSONObject] = []
    private(set) var notices: [JSONValue] = []

    init(settings: GuardrailSettings) {
        self.settings = settings
    }

    /// Scans the question; returns the text to use, or nil when it is blocked.
    mutating func screenQuestion(_ question: String) -> String? {
        let result = InputGuard(policy: settings.input).scan(question)
        record(result.verdicts, stage: "input")
        if result.isBlocked { return nil }
        let redacted = Self.unique(result.verdicts.filter { $0.action == .redact }.map(\.ruleID))
        if !redacted.isEmpty {
            notices.append(notice(rules: redacted, message: "Parts of the question were removed before it was answered: \(redacted.joined(separator: ", "))."))
        }
        return result.text
    }

    /// Every personal-data and secret rule redacts, whatever the tuning, and the rest only flag:
    /// the audit copy of a text never keeps such values, even when the reader may see them.
    static let auditPolicy: GuardPolicy = {
        var actions: [String: GuardAction] = [:]
        for rule in GuardPolicy.defaultActions.keys {
            actions[rule] = rule.hasPrefix("pii.") || rule.hasPrefix("secret.") ? .redact : .flag
        }
        return GuardPolicy(actions: actions, fallbackAction: .flag)
    }()

    /// Returns the text as the audit log keeps it under the `redacted` policy.
    static func auditCopy(_ text: String) -> String {
        InputGuard(policy: auditPolicy).scan(text).text
    }

    /// Scans each passage; blocked passages are dropped with a notice, the rest come back redacted.
    mutating func screenPassages(_ passages: [Passage]) -> [Passage] {
        var kept: [Passage] = []
        for passage in passages {
            let result = RetrievedContentGuard(policy: settings.retrieved).scan(passage.text)
            record(result.verdicts, stage: "retrieved", documentID: passage.documentID)
            if result.isBlocked {
                notices.append(notice(
                    rules: result.verdicts.filter { $0.action == .block }.map(\.ruleID),
                    message: "A passage of \"\(passage.title)\" was withheld from the model because it contains instructions aimed at it."
                ))
                continue
            }
            var screened = passage
            screened.text = result.text
            kept.append(screened)
        }
        return kept
    }

    /// Scans the answer for a user with `roles`; returns the text to show and whether it was withheld.
    mutating func screenAnswer(_ answer: String, canary: String, passageCount: Int, roles: [String]) -> (text: String, withheld: Bool) {
        let result = outputGuard(canary: canary, passageCount: passageCount).scan(answer, viewerRoles: Set(roles))
        recordOutput(result.verdicts)
        if result.isBlocked {
            return (withholdAnswer(result.verdicts), true)
        }
        noteRedactedAnswer(result.verdicts)
        return (result.text, false)
    }

    /// The output guardrail of one answer: `canary` is the request's, and the
    /// answer may cite the passages numbered `1...passageCount`.
    func outputGuard(canary: String, passageCount: Int) -> OutputGuard {
        OutputGuard(
            policy: settings.output, canary: canary,
            retrievedDocumentIDs: Set((0..<passageCount).map { String($0 + 1) }),
            allowedLinkHosts: settings.allowedLinkHosts
        )
    }

    /// Adds output verdicts to the audit trail.
    mutating func recordOutput(_ verdicts: [GuardVerdict]) {
        record(verdicts, stage: "output")
    }

    /// Adds a notice naming the rules that redacted parts of the answer, and returns it;
    /// nil when `verdicts` redact nothing.
    @discardableResult
    mutating func noteRedactedAnswer(_ verdicts: [GuardVerdict]) -> JSONValue? {
        let redacted = Self.unique(verdicts.filter { $0.action == .redact }.map(\.ruleID))
        guard !redacted.isEmpty else { return nil }
        let added = notice(rules: redacted, message: "Parts of the answer were removed: \(redacted.joined(separator: ", ")).")
        notices.append(added)
        return added
    }

    /// Adds the notice that the answer was withheld because of the blocking
    /// `verdicts`, and returns the text shown in its place.
    mutating func withholdAnswer(_ verdicts: [GuardVerdict]) -> String {
        let rules = blockingRules(verdicts)
        notices.append(notice(rules: rules, message: "The answer was withheld because it broke \(rules.joined(separator: ", "))."))
        return "The answer was withheld by the output guardrails (\(rules.joined(separator: ", "))). The request id identifies it in the audit log."
    }

    /// The ids of the rules whose verdict blocks, each once, in order of first appearance.
    func blockingRules(_ verdicts: [GuardVerdict]) -> [String] {
        Self.unique(verdicts.filter { $0.action == .block }.map(\.ruleID))
    }

    private mutating func record(_ found: [GuardVerdict], stage: String, documentID: String? = nil) {
        for verdict in found {
            var object: JSONObject = [
                "stage": .string(stage),
                "rule_id": .string(verdict.ruleID),
                "action": .string(verdict.action.rawValue),
                "score": .double(verdict.score),
                "reason": .string(verdict.reason),
            ]
            if let span = verdict.span {
                object["span"] = [.integer(Int64(span.lowerBound)), .integer(Int64(span.upperBound))]
            }
            object["document_id"] = documentID.map { .string($0) }
            verdicts.append(object)
        }
    }

    private func notice(rules: [String], message: String) -> JSONValue {
        .object(["rules": .array(Self.unique(rules).map { .string($0) }), "message": .string(message)])
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
