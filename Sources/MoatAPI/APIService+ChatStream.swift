import Foundation
import MoatAudit
import MoatCore
import MoatHTTP
import MoatJSON

extension APIService {
    /// The end of a streamed answer, which decides its audit reason and last event.
    enum StreamEnding: String {
        case completed
        /// A blocking output verdict stopped the answer and the model call.
        case withheld
        /// The model call failed; the client gets an `error` event.
        case failed
        /// The client went away; the model call was cancelled.
        case clientDisconnected = "client_disconnected"
    }

    /// Streams the answer to `prepared` as server-sent events (docs/guardrails.md, "Streamed output"):
    /// `notice` events for what the guardrails removed so far, `delta` events
    /// with text the output checker released, then `citations` and `done`, or
    /// one `withheld` or `error` event.
    ///
    /// The audit record is written once, after the model is done and before
    /// the last event: `done` and `withheld` are sent only once the record is
    /// durable. When it cannot be written and the log fails closed, the stream
    /// ends with an `audit_unavailable` error event and no chunked terminator,
    /// so the client must discard the text it received.
    func streamedAnswer(_ prepared: PreparedAnswer) -> Outcome {
        let events = ServerSentEventWriter()
        var outcome = Outcome(response: events.response())
        outcome.streamProducer = { [self] record in
            await produceStream(prepared, events: events, record: record)
        }
        return outcome
    }

    private func produceStream(
        _ prepared: PreparedAnswer, events: ServerSentEventWriter, record: @Sendable (Outcome) async -> AuditWrite
    ) async {
        let requestID = prepared.request.requestID
        logger.info("chat stream started", metadata: ["moat.request.id": requestID])
        for notice in prepared.guardrails.notices {
            events.send("notice", notice)
        }
        let checker = prepared.guardrails.outputGuard(canary: prepared.canary, passageCount: prepared.passages.count)
            .streamingChecker(viewerRoles: Set(prepared.viewerRoles))
        let state = LockedValue(StreamedAnswerState(checker: checker, guardrails: prepared.guardrails))

        var answer: Answer?
        var failure: (any Error)?
        do {
            answer = try await answerer.streamedAnswer(
                question: prepared.screenedQuestion, passages: prepared.passages, canary: prepared.canary
            ) { delta in
                guard events.isClientConnected else { return false }
                let (released, blocked) = state.withLock { state in (state.receive(delta), state.isBlocked) }
                for event in released {
                    events.send(event.name, event.data)
                }
                // Stop the model once the answer is blocked: nothing more of it can be shown.
                return !blocked
            }
        } catch is CancellationError {
            answer = nil
        } catch {
            failure = error
        }
        if answer != nil {
            for event in state.withLock({ $0.finish() }) {
                events.send(event.name, event.data)
            }
        }

        var final = state.current
        let ending: StreamEnding
        if final.isBlocked {
            ending = .withheld
        } else if failure != nil {
            ending = .failed
        } else if answer == nil || !events.isClientConnected {
            ending = .clientDisconnected
        } else {
            ending = .completed
        }
        let shownText = ending == .withheld ? final.withhold() : final.shownText
        logWithheldContent(prepared, answerWithheld: ending == .withheld)
        if let failure {
            logger.error("chat stream failed", metadata: ["moat.request.id": requestID, "moat.error": "\(failure)"])
        }

        var outcome = Outcome(
            response: HTTPResponse(status: 200),
            reason: ending == .completed ? prepared.reason : (ending == .withheld ? "answer_withheld" : ending.rawValue),
            prompt: prepared.question, redactedPrompt: GuardedChat.auditCopy(prepared.screenedQuestion),
            answer: final.modelText, redactedAnswer: GuardedChat.auditCopy(shownText),
            documents: prepared.documents, accessFilter: prepared.accessFilter, model: answer?.model ?? answerer.modelName,
            verdicts: final.guardrails.verdicts,
            tokens: AuditEntry.TokenCounts(prompt: answer?.promptTokens, completion: answer?.completionTokens)
        )
        if ending == .failed {
            outcome.reason = "answer_failed"
        }
        if ending == .failed || ending == .clientDisconnected {
            outcome.decision = .error
        }

        let written = await record(outcome)
        logger.info("chat stream ended", metadata: [
            "moat.request.id": requestID, "moat.stream.ending": ending.rawValue,
            "moat.stream.shown_characters": "\(final.shownText.count)",
        ])
        let sequence: Int64?
        switch written {
        case .failedClosed:
            events.send("error", Self.streamError(
                requestID: requestID, code: "audit_unavailable",
                detail: "the audit log cannot be written, so the answer was not served; discard the text received"
            ))
            events.fail()
            return
        case .written(let number):
            sequence = number
        case .droppedFailOpen:
            sequence = nil
        }

        var summary: JSONObject = [
            "request_id": .string(requestID),
            "model": .string(outcome.model ?? ""),
            "clearance": .string(prepared.scope.clearance.rawValue),
            "decision": .string((outcome.decision ?? .allow).rawValue),
            "reason": .string(outcome.reason),
            "notices": .array(final.guardrails.notices),
            "tokens": ["prompt": Self.count(answer?.promptTokens), "completion": Self.count(answer?.completionTokens)],
            "audit_sequence": sequence.map { .integer($0) } ?? .null,
        ]
        switch ending {
        case .completed:
            events.send("citations", ["citations": .array(answer.map(prepared.citations) ?? [])])
            events.send("done", .object(summary))
        case .withheld:
            summary["message"] = .string(shownText)
            summary["rules"] = .array(final.guardrails.notices.last?["rules"]?.arrayValue ?? [])
            events.send("withheld", .object(summary))
        case .failed:
            events.send("error", Self.streamError(
                requestID: requestID, code: "answer_failed", detail: "the answer could not be produced; discard the text received and try again later"
            ))
        case .clientDisconnected:
            break
        }
        events.finish()
    }

    private static func count(_ value: Int?) -> JSONValue {
        value.map { .integer(Int64($0)) } ?? .null
    }

    /// Returns the data of an `error` event: the `code`, `detail` and `request_id` members of a problem detail.
    static func streamError(requestID: String, code: String, detail: String) -> JSONValue {
        ["request_id": .string(requestID), "code": .string(code), "detail": .string(detail)]
    }
}
