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
        let question = try parseQuestion(request.body)
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
    func guardedAnswer(_ request: HTTPRequest, question: String, scope: ReaderScope, viewerRoles: [String], reason: String) async throws -> Outcome {
        let clearance = scope.clearance
        let accessFilter = AuditEntry.AccessFilter(userID: scope.userID, groups: scope.groups, clearance: clearance.rawValue)
        var guardrails = GuardedChat(settings: configuration.guardrails)

        guard let screenedQuestion = guardrails.screenQuestion(question) else {
            let rules = guardrails.verdicts.compactMap { $0["action"]?.stringValue == "block" ? $0["rule_id"]?.stringValue : nil }
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
                prompt: question, redactedPrompt: GuardedChat.auditCopy(question), accessFilter: accessFilter, verdicts: guardrails.verdicts
            )
        }

        let retrieved = try store.search(screenedQuestion, scope: scope, limit: configuration.passagesPerAnswer)
        let passages = guardrails.screenPassages(retrieved)
        let canary = "moat-canary-" + SecureRandom.token(byteCount: 12)
        let answer = try await answerer.answer(question: screenedQuestion, passages: passages, canary: canary)
        let (shownText, withheld) = guardrails.screenAnswer(answer.text, canary: canary, passageCount: passages.count, roles: viewerRoles)
        if withheld || passages.count < retrieved.count {
            logger.notice("guardrail withheld content", metadata: [
                "moat.request.id": request.requestID, "moat.guard.answer_withheld": "\(withheld)",
                "moat.guard.passages_withheld": "\(retrieved.count - passages.count)",
            ])
        }

        let cited = withheld ? [] : answer.citedPassages.compactMap { index in
            passages.indices.contains(index - 1) ? (index, passages[index - 1]) : nil
        }
        let citations: [JSONValue] = cited.map { index, passage in
            var citation: JSONObject = [
                "index": .integer(Int64(index)),
                "document_id": .string(passage.documentID),
                "title": .string(passage.title),
                "path": .string(passage.path),
                "classification": .string(passage.classification.rawValue),
                "snippet": .string(String(passage.text.prefix(300))),
            ]
            citation["page"] = passage.page.map { .integer(Int64($0)) }
            citation["section"] = passage.section.map { .string($0) }
            return .object(citation)
        }
        let body: JSONObject = [
            "request_id": .string(request.requestID),
            "answer": .string(shownText),
            "citations": .array(citations),
            "model": .string(answer.model),
            "clearance": .string(clearance.rawValue),
            "notices": .array(guardrails.notices),
        ]
        var documents: [AuditEntry.DocumentReference] = []
        for passage in retrieved where !documents.contains(where: { $0.documentID == passage.documentID }) {
            documents.append(.init(documentID: passage.documentID, classification: passage.classification.rawValue))
        }
        return Outcome(
            response: .json(data: JSONValue.object(body).serialized()),
            reason: withheld ? "answer_withheld" : reason,
            prompt: question, redactedPrompt: GuardedChat.auditCopy(screenedQuestion),
            answer: answer.text, redactedAnswer: GuardedChat.auditCopy(shownText),
            documents: documents, accessFilter: accessFilter, model: answer.model,
            verdicts: guardrails.verdicts,
            tokens: AuditEntry.TokenCounts(prompt: answer.promptTokens, completion: answer.completionTokens)
        )
    }

    /// Parses `{"question": "..."}` strictly: duplicate or unknown members, other types and empty questions are rejected.
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
