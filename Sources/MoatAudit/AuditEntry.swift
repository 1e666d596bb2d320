import Foundation
import MoatJSON

/// One api request as the audit log records it, allowed or denied: who
/// called through which app, what they asked, which documents were read
/// under which access filter, what came back, and why it was allowed or not.
///
/// The log turns an entry into a canonical JSON record (see
/// ``jsonObject(sequence:prompt:answer:)``) and applies the log's
/// ``ContentPolicies`` to the prompt and the answer first, so the raw texts
/// given here are never stored unless the policy is ``ContentPolicy/stored``.
public struct AuditEntry: Sendable, Equatable {
    public enum Decision: String, Sendable, Codable, CaseIterable {
        case allow
        case deny
        case error
    }

    /// A retrieved document, whether or not the answer cited it.
    public struct DocumentReference: Sendable, Equatable, Codable {
        public var documentID: String
        /// `public`, `internal`, `confidential` or `restricted`.
        public var classification: String

        public init(documentID: String, classification: String) {
            self.documentID = documentID
            self.classification = classification
        }
    }

    /// The access filter retrieval applied: only documents readable by this
    /// user id or one of these group object ids, classified at most `clearance`.
    public struct AccessFilter: Sendable, Equatable {
        public var userID: String
        public var groups: [String]
        public var clearance: String

        public init(userID: String, groups: [String], clearance: String) {
            self.userID = userID
            self.groups = groups
            self.clearance = clearance
        }
    }

    /// Token usage reported by the model; each count is nil when the answerer reports none.
    public struct TokenCounts: Sendable, Equatable {
        public var prompt: Int?
        public var completion: Int?

        public init(prompt: Int? = nil, completion: Int? = nil) {
            self.prompt = prompt
            self.completion = completion
        }
    }

    public var requestID: String
    public var time: Date
    /// The component that wrote the record in the deployment pattern, for example `api`.
    /// The calling app (``clientAppID``) names the hop before it.
    public var hop: String
    /// `chat`, `audit.read`, `me`, ...
    public var action: String
    public var decision: Decision
    /// Closed-set reason code, for example `ok`, `invalid_token`, `missing_role`.
    public var reason: String
    public var httpStatus: Int
    public var tenantID: String?
    public var objectID: String?
    public var userName: String?
    /// The calling app's client id (`azp`).
    public var clientAppID: String?
    /// App roles in the caller's token.
    public var roles: [String]
    /// The user's question as received.
    public var prompt: String?
    /// The question after redaction, for ``ContentPolicy/redacted``.
    public var redactedPrompt: String?
    /// The answer as sent.
    public var answer: String?
    /// The answer after redaction, for ``ContentPolicy/redacted``.
    public var redactedAnswer: String?
    public var documents: [DocumentReference]
    public var accessFilter: AccessFilter?
    /// Model deployment name; `extractive` for the built-in answerer.
    public var model: String?
    /// Guardrail verdicts, one JSON object each, in the order the guards ran.
    public var verdicts: [JSONObject]
    public var tokens: TokenCounts
    public var latencyMilliseconds: Int

    public init(
        requestID: String, time: Date, hop: String = "api", action: String, decision: Decision, reason: String,
        httpStatus: Int, tenantID: String? = nil, objectID: String? = nil, userName: String? = nil,
        clientAppID: String? = nil, roles: [String] = [], prompt: String? = nil, redactedPrompt: String? = nil,
        answer: String? = nil, redactedAnswer: String? = nil, documents: [DocumentReference] = [],
        accessFilter: AccessFilter? = nil, model: String? = nil, verdicts: [JSONObject] = [],
        tokens: TokenCounts = TokenCounts(), latencyMilliseconds: Int = 0
    ) {
        self.requestID = requestID
        self.time = time
        self.hop = hop
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
        self.redactedPrompt = redactedPrompt
        self.answer = answer
        self.redactedAnswer = redactedAnswer
        self.documents = documents
        self.accessFilter = accessFilter
        self.model = model
        self.verdicts = verdicts
        self.tokens = tokens
        self.latencyMilliseconds = latencyMilliseconds
    }

    /// The user id the log indexes: `tenant id:object id`, or nil without an object id.
    public var userID: String? {
        objectID.map { "\(tenantID ?? ""):\($0)" }
    }
}

extension AuditEntry {
    /// Version of the record layout written by ``jsonObject(sequence:prompt:answer:)``.
    static let recordVersion: Int64 = 2

    static let timeFormat: Date.ISO8601FormatStyle = .iso8601.year().month().day()
        .time(includingFractionalSeconds: true).timeZone(separator: .omitted)

    /// The JSON object that is canonicalised and hashed into the chain.
    /// `prompt` and `answer` are the already protected forms (see ``ContentPolicies``).
    func jsonObject(sequence: Int64, prompt: JSONValue?, answer: JSONValue?) -> JSONObject {
        var object: JSONObject = [
            "v": .integer(Self.recordVersion),
            "seq": .integer(sequence),
            "time": .string(time.formatted(Self.timeFormat)),
            "request_id": .string(requestID),
            "hop": .string(hop),
            "action": .string(action),
            "decision": .string(decision.rawValue),
            "reason": .string(reason),
            "http_status": .integer(Int64(httpStatus)),
            "roles": .array(roles.map { .string($0) }),
            "documents": .array(documents.map {
                .object(["id": .string($0.documentID), "classification": .string($0.classification)])
            }),
            "verdicts": .array(verdicts.map { .object($0) }),
            "tokens": .object([
                "prompt": tokens.prompt.map { .integer(Int64($0)) } ?? .null,
                "completion": tokens.completion.map { .integer(Int64($0)) } ?? .null,
            ]),
            "latency_ms": .integer(Int64(latencyMilliseconds)),
        ]
        object["tenant_id"] = tenantID.map { .string($0) }
        object["object_id"] = objectID.map { .string($0) }
        object["user_name"] = userName.map { .string($0) }
        object["client_app_id"] = clientAppID.map { .string($0) }
        object["prompt"] = prompt
        object["answer"] = answer
        object["model"] = model.map { .string($0) }
        if let accessFilter {
            object["access_filter"] = .object([
                "user_id": .string(accessFilter.userID),
                "groups": .array(accessFilter.groups.map { .string($0) }),
                "clearance": .string(accessFilter.clearance),
            ])
        }
        return object
    }
}
