import Foundation
import MoatAudit
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
        let passages = try store.search(question, scope: scope, limit: configuration.passagesPerAnswer)
        let answer = try await answerer.answer(question: question, passages: passages)
        let cited = answer.citedPassages.compactMap { index in
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
            "answer": .string(answer.text),
            "citations": .array(citations),
            "model": .string(answer.model),
            "clearance": .string(clearance.rawValue),
        ]
        var documents: [AuditEntry.DocumentReference] = []
        for passage in passages where !documents.contains(where: { $0.documentID == passage.documentID }) {
            documents.append(.init(documentID: passage.documentID, classification: passage.classification.rawValue))
        }
        return Outcome(
            response: .json(data: JSONValue.object(body).serialized()),
            prompt: question, answer: answer.text, documents: documents,
            accessFilter: .init(userID: scope.userID, groups: scope.groups, clearance: clearance.rawValue), model: answer.model
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
