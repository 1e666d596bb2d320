import Foundation
import MoatGuard
import MoatJSON

/// The mutable part of a streamed answer: the output checker, the verdicts
/// and notices so far, and the text received and released. The model's
/// thread updates it for each delta and the producer task reads it at the end.
struct StreamedAnswerState: Sendable {
    var checker: StreamingOutputChecker
    var guardrails: GuardedChat
    /// Everything the model sent, for the audit record.
    var modelText = ""
    /// Everything released to the client, already redacted.
    var shownText = ""
    /// True once a blocking verdict stopped the answer.
    private(set) var isBlocked = false
    private var blockingVerdicts: [GuardVerdict] = []
    private var noticedRules: Set<String> = []

    init(checker: StreamingOutputChecker, guardrails: GuardedChat) {
        self.checker = checker
        self.guardrails = guardrails
    }

    /// Passes the model's next piece of text through the checker and returns the events to send.
    mutating func receive(_ delta: String) -> [(name: String, data: JSONValue)] {
        modelText += delta
        let update = checker.append(delta)
        return apply(update)
    }

    /// Releases the held-back tail once the model is done and returns the events to send.
    mutating func finish() -> [(name: String, data: JSONValue)] {
        let update = checker.finish()
        return apply(update)
    }

    /// Records the update's verdicts and turns what it releases into `delta`
    /// and `notice` events. A blocking update releases nothing; the final
    /// `withheld` event is sent after the audit record.
    private mutating func apply(_ update: StreamingOutputChecker.Update) -> [(name: String, data: JSONValue)] {
        guardrails.recordOutput(update.verdicts)
        if update.isBlocked {
            if !isBlocked {
                isBlocked = true
                blockingVerdicts = update.verdicts.filter { $0.action == .block }
            }
            return []
        }
        var events: [(name: String, data: JSONValue)] = []
        if !update.text.isEmpty {
            shownText += update.text
            events.append(("delta", ["text": .string(update.text)]))
        }
        // One notice per rule, the first time it redacts something.
        let newRedactions = update.verdicts.filter { $0.action == .redact && !noticedRules.contains($0.ruleID) }
        if let notice = guardrails.noteRedactedAnswer(newRedactions) {
            noticedRules.formUnion(newRedactions.map(\.ruleID))
            events.append(("notice", notice))
        }
        return events
    }

    /// Adds the withheld notice and returns the text recorded in place of the answer.
    mutating func withhold() -> String {
        guardrails.withholdAnswer(blockingVerdicts)
    }
}
