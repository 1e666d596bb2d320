import Foundation
import MoatAudit
import MoatCore
import MoatData
import MoatHTTP
import MoatIdentity
import MoatJSON

/// `moat api`: validates bearer tokens, authorizes by scope and app role,
/// answers questions from the documents the caller may read, and writes one
/// audit record per request, allowed or denied.
///
/// Routes:
/// - `POST /v1/chat` `{"question": "..."}`: delegated user tokens with the chat scope and a chat role.
///   Answers as JSON, or as server-sent events with `Accept: text/event-stream`; streaming needs
///   a server created with `HTTPServer(configuration:streamingResponder:logger:)`.
/// - `GET /v1/audit?limit=&before=&user=&action=&decision=&since=&until=`: the Admin role (users) or the audit app role (applications).
/// - `GET /v1/me`: who the token says the caller is.
/// - `GET /healthz`: liveness, no authentication.
public final class APIService: HTTPResponder {
    let configuration: APIConfiguration
    let validator: AccessTokenValidator
    let store: DocumentStore
    let answerer: any Answerer
    let audit: AuditLog
    let clock: any WallClock
    let logger: Logger
    private let routes = LockedValue(Router())

    public init(
        configuration: APIConfiguration, validator: AccessTokenValidator, store: DocumentStore, answerer: any Answerer,
        audit: AuditLog, clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) {
        self.configuration = configuration
        self.validator = validator
        self.store = store
        self.answerer = answerer
        self.audit = audit
        self.clock = clock
        self.logger = logger
        let router = makeRouter()
        routes.withLock { $0 = router }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await routes.current.respond(to: request)
    }

    private func makeRouter() -> Router {
        var router = Router()
        router.get("/healthz") { _ in .json(["status": "ok"]) }
        router.post("/v1/chat") { [unowned self] request in await audited(request, action: "chat", handler: chat) }
        router.get("/v1/audit") { [unowned self] request in await audited(request, action: "audit.read", handler: readAudit) }
        router.get("/v1/me") { [unowned self] request in await audited(request, action: "me", handler: me) }
        return router
    }

    /// A handler's response and what it reports for the audit record.
    struct Outcome {
        var response: HTTPResponse
        var reason = "ok"
        var prompt: String?
        /// The prompt after redaction; nil until a guard redacts it.
        var redactedPrompt: String?
        var answer: String?
        /// The answer after redaction; nil until a guard redacts it.
        var redactedAnswer: String?
        var documents: [AuditEntry.DocumentReference] = []
        var accessFilter: AuditEntry.AccessFilter?
        var model: String?
        var verdicts: [JSONObject] = []
        var tokens = AuditEntry.TokenCounts()
        /// The audit decision when it does not follow from the status, as for a stream that failed after its 200.
        var decision: AuditEntry.Decision?
        /// Set for an answer streamed as server-sent events: `response` carries
        /// the open stream, and the producer writes the events and, at the end,
        /// the audit record through the recorder it is given.
        var streamProducer: StreamProducer?
    }

    /// Writes a streamed answer; calls the recorder once, with the final outcome, before its last event.
    typealias StreamProducer = @Sendable (_ record: @escaping @Sendable (Outcome) async -> AuditWrite) async -> Void

    /// Whether an audit record was written.
    enum AuditWrite: Sendable {
        case written(sequence: Int64)
        /// Not written, but the log is configured to fail open, so the response may go out.
        case droppedFailOpen
        /// Not written, and the response must not go out.
        case failedClosed
    }

    typealias AuthorizedHandler = @Sendable (HTTPRequest, Principal) async throws -> Outcome

    /// Authenticates, runs the handler, and writes the audit record. When the
    /// record cannot be written, the response is replaced by 503: no answer
    /// leaves without its record, unless the log is configured to fail open.
    private func audited(_ request: HTTPRequest, action: String, handler: AuthorizedHandler) async -> HTTPResponse {
        let started = clock.now()
        var principal: Principal?
        var outcome: Outcome
        do {
            let validated = try await validator.validate(authorizationHeader: request.headers["Authorization"])
            principal = validated
            outcome = try await handler(request, validated)
        } catch let rejection as TokenRejection {
            // When the api itself cannot check tokens (keys, discovery or group lookup failing),
            // the token is not at fault: answer 503 and keep the cause in the log, not in the response.
            if Self.serverSideRejections.contains(rejection.code) {
                logger.error("token validation unavailable", metadata: [
                    "moat.request.id": request.requestID, "moat.auth.code": rejection.code.rawValue, "moat.error": rejection.reason,
                ])
                let problem = ProblemDetails(
                    status: 503, code: rejection.code.rawValue, title: "Service Unavailable",
                    detail: "the api cannot validate tokens right now; try again later"
                )
                return await recorded(
                    request, action: action, started: started, principal: nil, user: nil,
                    outcome: Outcome(response: problem.response(requestID: request.requestID), reason: rejection.code.rawValue)
                )
            }
            validator.logRejection(rejection, requestID: request.requestID, logger: logger)
            // A valid token from an application this api does not serve is forbidden, not unauthenticated.
            let forbidden = rejection.code == .clientNotAllowed
            let hasBearer = AccessTokenValidator.hasBearerScheme(request.headers["Authorization"])
            // RFC 6750 §3.1: a malformed Bearer field is invalid_request, which gets 400.
            let malformed = hasBearer && rejection.code == .malformedAuthorization
            let (status, title) = forbidden ? (403, "Forbidden") : malformed ? (400, "Bad Request") : (401, "Unauthorized")
            var problem = ProblemDetails(status: status, code: rejection.code.rawValue, title: title, detail: rejection.reason)
            if let detail = rejection.detailCode { problem.extensions["token_error"] = detail }
            var response = problem.response(requestID: request.requestID)
            if !forbidden {
                // RFC 6750 §3.1: no error code when the request carried no bearer credentials.
                var challenge = "Bearer"
                if hasBearer {
                    challenge += malformed ? " error=\"invalid_request\"" : " error=\"invalid_token\""
                }
                response.headers.set("WWW-Authenticate", challenge)
            }
            outcome = Outcome(response: response, reason: rejection.detailCode ?? rejection.code.rawValue)
        } catch let problem as ProblemDetails {
            var response = problem.response(requestID: request.requestID)
            if problem.code == "missing_scope" {
                // RFC 6750 §3.1: a token without the needed scope gets insufficient_scope.
                response.headers.set("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"\(configuration.chatScope)\"")
            }
            outcome = Outcome(response: response, reason: problem.code)
        } catch {
            logger.error("request failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            let problem = ProblemDetails(status: 502, code: "answer_failed", title: "Bad Gateway", detail: "the answer could not be produced; try again later")
            outcome = Outcome(response: problem.response(requestID: request.requestID), reason: "answer_failed")
        }
        if let producer = outcome.streamProducer {
            startStream(producer, request: request, action: action, started: started, principal: principal, user: nil)
            return outcome.response
        }
        return await recorded(request, action: action, started: started, principal: principal, user: nil, outcome: outcome)
    }

    /// Runs a stream producer on a task of its own, handing it a recorder for the audit record of `request`.
    func startStream(_ producer: @escaping StreamProducer, request: HTTPRequest, action: String, started: Date, principal: Principal?, user: ActingUser?) {
        Task {
            await producer { [self] final in
                await writeRecord(request, action: action, started: started, principal: principal, user: user, outcome: final)
            }
        }
    }

    /// Rejections caused by the api's own dependencies rather than by the token.
    static let serverSideRejections: Set<TokenRejection.Code> = [
        .keysUnavailable, .discoveryFailed, .tokenRequestFailed, TokenRejection.Code(rawValue: "group_resolution_failed"),
    ]

    /// The user a request acts for when it differs from the token's subject:
    /// pattern 2's web tier calls with its own identity and names the user separately.
    struct ActingUser {
        var tenantID: String
        var objectID: String
        /// `preferred_username`, which the record prefers to the display name, as for a user's own token.
        var username: String?
        var name: String?
    }

    /// Writes the audit record of a finished request and returns the response to
    /// send: 503 instead when the record cannot be written, unless the log fails open.
    func recorded(
        _ request: HTTPRequest, action: String, started: Date, principal: Principal?, user: ActingUser?, outcome: Outcome
    ) async -> HTTPResponse {
        switch await writeRecord(request, action: action, started: started, principal: principal, user: user, outcome: outcome) {
        case .written, .droppedFailOpen:
            return outcome.response
        case .failedClosed:
            return ProblemDetails(
                status: 503, code: "audit_unavailable", title: "Service Unavailable",
                detail: "the audit log cannot be written, so the request was not served"
            ).response(requestID: request.requestID)
        }
    }

    /// Appends the audit record of a finished request, logging a failure.
    func writeRecord(
        _ request: HTTPRequest, action: String, started: Date, principal: Principal?, user: ActingUser?, outcome: Outcome
    ) async -> AuditWrite {
        let status = outcome.response.status
        let entry = AuditEntry(
            requestID: request.requestID, time: started, hop: "api", action: action,
            // 422 is a guardrail refusing the question: a policy decision, like 401 and 403.
            decision: outcome.decision ?? (status < 400 ? .allow : ([401, 403, 422].contains(status) ? .deny : .error)),
            reason: outcome.reason, httpStatus: status,
            tenantID: user?.tenantID ?? principal?.tenantID, objectID: user?.objectID ?? principal?.objectID,
            userName: user.map { $0.username ?? $0.name } ?? principal?.username ?? principal?.name,
            clientAppID: principal?.clientAppID, roles: principal?.roles ?? [],
            prompt: outcome.prompt, redactedPrompt: outcome.redactedPrompt,
            answer: outcome.answer, redactedAnswer: outcome.redactedAnswer,
            documents: outcome.documents, accessFilter: outcome.accessFilter, model: outcome.model,
            verdicts: outcome.verdicts, tokens: outcome.tokens,
            latencyMilliseconds: Int(clock.now().timeIntervalSince(started) * 1000)
        )
        do {
            return .written(sequence: try await audit.append(entry))
        } catch {
            if audit.isFailOpen {
                let dropped = audit.countDroppedRecord()
                logger.critical("audit record NOT written; request served because audit fail-open is on", metadata: [
                    "moat.request.id": request.requestID, "moat.error": "\(error)", "moat.audit.dropped": "\(dropped)",
                ])
                return .droppedFailOpen
            }
            logger.error("audit record not written; request failed closed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return .failedClosed
        }
    }
}
