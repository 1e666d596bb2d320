import Foundation
import MoatAudit
import MoatCrypto
import MoatData
import MoatHTTP
import MoatIdentity
import MoatJSON

extension APIService {
    /// Checks the caller may chat: a user token (not app-only) with the chat scope and one of the chat roles.
    func authorizeChat(_ principal: Principal) throws(ProblemDetails) {
        guard principal.kind == .user else {
            throw ProblemDetails(status: 403, code: "user_required", title: "Forbidden", detail: "chat answers from the signed-in user's documents and needs a delegated user token")
        }
        guard principal.hasScope(configuration.chatScope) else {
            throw ProblemDetails(status: 403, code: "missing_scope", title: "Forbidden", detail: "the token lacks the \(configuration.chatScope) scope; request it when signing in")
        }
        guard principal.roles.contains(where: configuration.chatRoles.contains) else {
            throw ProblemDetails(
                status: 403, code: "missing_role", title: "Forbidden",
                detail: "the user has none of the roles \(configuration.chatRoles.joined(separator: ", ")); ask an administrator to assign one"
            )
        }
    }

    func chat(_ request: HTTPRequest, _ principal: Principal) async throws -> Outcome {
        try authorizeChat(principal)
        let question = try parseQuestion(request)
        guard let userClearance = configuration.clearance(for: principal) else {
            throw ProblemDetails(status: 403, code: "no_clearance", title: "Forbidden", detail: "none of the user's roles has a document clearance")
        }
        // Nothing above the model's clearance may enter its prompt, so retrieval uses the lower of the two.
        let clearance = min(userClearance, answerer.clearance)
        let scope = ReaderScope(userID: principal.userID, groups: principal.groups, clearance: clearance)
        return try await guardedAnswer(request, question: question, scope: scope, viewerRoles: principal.roles, reason: "ok")
    }

    /// The guarded answer pipeline shared by every chat route: input guardrail,
    /// retrieval within `scope`, retrieved-content guardrail, answer with a
    /// per-request canary, output guardrail for a reader with `viewerRoles`.
    /// Returns a JSON answer, or a stream of server-sent events when the request accepts
    /// `text/event-stream` (see ``streamedAnswer(_:)``).
    func guardedAnswer(_ request: HTTPRequest, question: String, scope: ReaderScope, viewerRoles: [String], reason: String) async throws -> Outcome {
        var prepared = PreparedAnswer(
            request: request, question: question, screenedQuestion: question, scope: scope, viewerRoles: viewerRoles, reason: reason,
            guardrails: GuardedChat(settings: configuration.guardrails)
        )
        guard let screenedQuestion = prepared.guardrails.screenQuestion(question) else {
            let rules = prepared.guardrails.verdicts.compactMap { $0["action"]?.stringValue == "block" ? $0["rule_id"]?.stringValue : nil }
            var problem = ProblemDetails(
                status: 422, code: "prompt_blocked", title: "Unprocessable Content",
                detail: "the question was not answered because the input guardrails blocked it (\(Set(rules).sorted().joined(separator: ", "))); rephrase it"
            )
            problem.extensions["rules"] = Set(rules).sorted().joined(separator: ",")
            logger.notice("guardrail blocked the question", metadata: [
                "moat.request.id": request.requestID, "moat.guard.rules": Set(rules).sorted().joined(separator: ","),
            ])
            return Outcome(
                response: problem.response(requestID: request.requestID), reason: "prompt_blocked",
                prompt: question, redactedPrompt: GuardedChat.auditCopy(question), accessFilter: prepared.accessFilter,
                verdicts: prepared.guardrails.verdicts
            )
        }
        prepared.screenedQuestion = screenedQuestion
        prepared.retrieved = try store.search(screenedQuestion, scope: scope, limit: configuration.passagesPerAnswer)
        prepared.passages = prepared.guardrails.screenPassages(prepared.retrieved)

        if Self.acceptsEventStream(request) {
            return streamedAnswer(prepared)
        }
        let answer = try await answerer.answer(question: screenedQuestion, passages: prepared.passages, canary: prepared.canary)
        var guardrails = prepared.guardrails
        let (shownText, withheld) = guardrails.screenAnswer(
            answer.text, canary: prepared.canary, passageCount: prepared.passages.count, roles: viewerRoles
        )
        logWithheldContent(prepared, answerWithheld: withheld)

        let body: JSONObject = [
            "request_id": .string(request.requestID),
            "answer": .string(shownText),
            "citations": .array(withheld ? [] : prepared.citations(answer)),
            "model": .string(answer.model),
            "clearance": .string(scope.clearance.rawValue),
            "notices": .array(guardrails.notices),
        ]
        return Outcome(
            response: .json(data: JSONValue.object(body).serialized()),
            reason: withheld ? "answer_withheld" : reason,
            prompt: question, redactedPrompt: GuardedChat.auditCopy(screenedQuestion),
            answer: answer.text, redactedAnswer: GuardedChat.auditCopy(shownText),
            documents: prepared.documents, accessFilter: prepared.accessFilter, model: answer.model,
            verdicts: guardrails.verdicts,
            tokens: AuditEntry.TokenCounts(prompt: answer.promptTokens, completion: answer.completionTokens)
        )
    }

    /// Logs that the output guardrail withheld the answer or the retrieved-content guardrail dropped passages.
    func logWithheldContent(_ prepared: PreparedAnswer, answerWithheld: Bool) {
        let droppedPassages = prepared.retrieved.count - prepared.passages.count
        guard answerWithheld || droppedPassages > 0 else { return }
        logger.notice("guardrail withheld content", metadata: [
            "moat.request.id": prepared.request.requestID, "moat.guard.answer_withheld": "\(answerWithheld)",
            "moat.guard.passages_withheld": "\(droppedPassages)",
        ])
    }

    /// Whether the `Accept` field lists `text/event-stream` (RFC 9110 §12.5.1), which asks for a streamed answer.
    static func acceptsEventStream(_ request: HTTPRequest) -> Bool {
        request.headers.values(for: "Accept").contains { value in
            value.split(separator: ",").contains { range in
                let mediaType = range.split(separator: ";", maxSplits: 1).first ?? ""
                return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "text/event-stream"
            }
        }
    }

    /// Parses `{"question": "..."}` strictly: a Content-Type other than JSON,
    /// duplicate or unknown members, other types and empty questions are rejected.
    func parseQuestion(_ request: HTTPRequest) throws -> String {
        let mediaType = request.headers["Content-Type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw ProblemDetails.unsupportedMediaType("send the question as application/json (Content-Type: application/json)")
        }
        return try parseQuestion(request.body)
    }

    func parseQuestion(_ body: Data) throws -> String {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body, limits: JSONLimits(maxDepth: 4, maxBytes: 64 * 1024))
        } catch {
            throw ProblemDetails(status: 400, code: "invalid_json", title: "Bad Request", detail: "the body is not valid JSON: \(error)")
        }
        guard let object = json.objectValue else {
            throw ProblemDetails(status: 400, code: "invalid_request", title: "Bad Request", detail: "the body must be a JSON object like {\"question\": \"...\"}")
        }
        if let unknown = object.keys.first(where: { $0 != "question" }) {
            throw ProblemDetails(status: 400, code: "invalid_request", title: "Bad Request", detail: "unknown member \"\(unknown)\"; the body takes only \"question\"")
        }
        guard let question = object["question"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !question.isEmpty else {
            throw ProblemDetails(status: 400, code: "invalid_request", title: "Bad Request", detail: "\"question\" must be a non-empty string")
        }
        guard question.count <= configuration.maxQuestionLength else {
            throw ProblemDetails(
                status: 400, code: "question_too_long", title: "Bad Request",
                detail: "the question has \(question.count) characters; the limit is \(configuration.maxQuestionLength)"
            )
        }
        return question
    }
}
