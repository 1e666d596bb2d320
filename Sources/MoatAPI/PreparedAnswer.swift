import Foundation
import MoatAudit
import MoatCrypto
import MoatData
import MoatHTTP
import MoatJSON

/// A chat request that passed the input guardrail and retrieval, ready for
/// the answerer: what both the JSON and the streamed answer start from.
struct PreparedAnswer: Sendable {
    let request: HTTPRequest
    let question: String
    /// The question after the input guardrail's redactions.
    var screenedQuestion: String
    let scope: ReaderScope
    let viewerRoles: [String]
    /// The audit reason of a successful answer, such as `ok`.
    let reason: String
    var guardrails: GuardedChat
    /// A per-request secret for the system prompt; an answer that repeats it is withheld.
    let canary = "moat-canary-" + SecureRandom.token(byteCount: 12)
    /// Passages found within `scope`, before the retrieved-content guardrail.
    var retrieved: [Passage] = []
    /// Passages the answerer receives: blocked ones dropped, the rest redacted.
    var passages: [Passage] = []

    var accessFilter: AuditEntry.AccessFilter {
        AuditEntry.AccessFilter(userID: scope.userID, groups: scope.groups, clearance: scope.clearance.rawValue)
    }

    /// Each retrieved document once, in order of rank, for the audit record.
    var documents: [AuditEntry.DocumentReference] {
        var documents: [AuditEntry.DocumentReference] = []
        for passage in retrieved where !documents.contains(where: { $0.documentID == passage.documentID }) {
            documents.append(.init(documentID: passage.documentID, classification: passage.classification.rawValue))
        }
        return documents
    }

    /// Returns the citations of `answer` as the response lists them, with a snippet of up to 300 characters.
    func citations(_ answer: Answer) -> [JSONValue] {
        let cited = answer.citedPassages.compactMap { index in
            passages.indices.contains(index - 1) ? (index, passages[index - 1]) : nil
        }
        return cited.map { index, passage in
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
    }
}
