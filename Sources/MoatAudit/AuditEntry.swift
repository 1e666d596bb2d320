import Foundation
import MoatJSON

/// One api request as the audit log records it, allowed or denied.
public struct AuditEntry: Sendable, Equatable {
    public enum Decision: String, Sendable, Codable {
        case allow
        case deny
        case error
    }

    /// A document that contributed to the answer.
    public struct DocumentReference: Sendable, Equatable, Codable {
        public var documentID: String
        public var classification: String
        public init(documentID: String, classification: String) {
            self.documentID = documentID
            self.classification = classification
        }
    }

    public var requestID: String
    public var time: Date
    /// `chat`, `audit.read`, ...
    public var action: String
    public var decision: Decision
    /// Closed-set reason code, for example `ok`, `invalid_token`, `missing_role`.
    public var reason: String
    public var httpStatus: Int
    public var tenantID: String?
    public var objectID: String?
    public var userName: String?
    public var clientAppID: String?
    public var roles: [String]
    /// The user's question; stored, hashed or omitted according to the log's ``ContentPolicy``.
    public var prompt: String?
    public var response: String?
    public var documents: [DocumentReference]
    public var model: String?
    public var latencyMilliseconds: Int

    public init(
        requestID: String, time: Date, action: String, decision: Decision, reason: String, httpStatus: Int,
        tenantID: String? = nil, objectID: String? = nil, userName: String? = nil, clientAppID: String? = nil,
        roles: [String] = [], prompt: String? = nil, response: String? = nil, documents: [DocumentReference] = [],
        model: String? = nil, latencyMilliseconds: Int = 0
    ) {
        self.requestID = requestID
        self.time = time
        self.action = action
        self.decision = decision
        self.reason = reason
        self.httpStatus = httpStatus
        self.tenantID = tenantID
        self.objectID = objectID
        self.userName = userName
        self.clientAppID = clientAppID
        self.roles = roles
        self.prompt = prompt
        self.response = response
        self.documents = documents
        self.model = model
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// How the prompt and the response are kept in the audit log.
public enum ContentPolicy: String, Sendable, CaseIterable {
    /// The text itself.
    case stored
    /// `hmac-sha256:<hex>` under the log's key: equal texts can be matched, the text cannot be read back.
    case hashed
    /// Nothing.
    case omitted
}

extension AuditEntry {
    static let timeFormat: Date.ISO8601FormatStyle = .iso8601.year().month().day()
        .time(includingFractionalSeconds: true).timeZone(separator: .omitted)

    /// The JSON object that is canonicalised and hashed into the chain.
    func jsonObject(sequence: Int64, prompt: String?, response: String?) -> JSONObject {
        var object: JSONObject = [
            "seq": .integer(sequence),
            "time": .string(time.formatted(Self.timeFormat)),
            "request_id": .string(requestID),
            "action": .string(action),
            "decision": .string(decision.rawValue),
            "reason": .string(reason),
            "http_status": .integer(Int64(httpStatus)),
            "roles": .array(roles.map { .string($0) }),
            "documents": .array(documents.map {
                .object(["id": .string($0.documentID), "classification": .string($0.classification)])
            }),
            "latency_ms": .integer(Int64(latencyMilliseconds)),
        ]
        object["tenant_id"] = tenantID.map { .string($0) }
        object["object_id"] = objectID.map { .string($0) }
        object["user_name"] = userName.map { .string($0) }
        object["client_app_id"] = clientAppID.map { .string($0) }
        object["prompt"] = prompt.map { .string($0) }
        object["response"] = response.map { .string($0) }
        object["model"] = model.map { .string($0) }
        return object
    }
}
