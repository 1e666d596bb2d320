import Foundation
import MoatAudit
import MoatCore
import MoatData
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// `moat api` for pattern 2: besides the routes of ``APIService``, accepts
/// app-only tokens on `POST /v1/app/chat` from a web tier that signed the
/// user in elsewhere (at the gateway).
///
/// The caller must hold ``callerRole`` as an app role, and must name the user
/// in `X-Moat-User-Context`, a JWT signed by a key from ``Configuration/userContextKeys``,
/// issued for this api, at most two minutes old and bound to this request,
/// and the user it names must hold one of the api's chat roles (its `roles`
/// claim). The user is recorded in the audit log but grants nothing: retrieval sees
/// only documents readable by everyone, up to ``clearance``, because pattern
/// 2 has no per-user data rules.
public final class AppCallerAPI: HTTPResponder {
    /// Settings of the app-caller route.
    public struct Configuration: Sendable {
        /// App role the calling web tier needs. Default `Chat.Invoke`.
        public var callerRole: String
        /// The web tier's user context keys, cached so that a web tier in another process
        /// can publish and rotate them. The two values after it are the `iss` and `aud` the context must carry.
        public var userContextKeys: KeySetCache
        public var userContextIssuer: String
        public var userContextAudience: String
        /// Highest classification answered from. Default `internal`.
        public var clearance: Classification

        public init(
            userContextKeys: KeySetCache, userContextIssuer: String, userContextAudience: String,
            callerRole: String = "Chat.Invoke", clearance: Classification = .internal
        ) {
            self.userContextKeys = userContextKeys
            self.userContextIssuer = userContextIssuer
            self.userContextAudience = userContextAudience
            self.callerRole = callerRole
            self.clearance = clearance
        }
    }

    static let contextHeader = "X-Moat-User-Context"
    static let path = "/v1/app/chat"

    let service: APIService
    let configuration: Configuration

    public init(service: APIService, configuration: Configuration) {
        self.service = service
        self.configuration = configuration
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard request.path == Self.path else {
            return await service.respond(to: request)
        }
        guard request.method == "POST" else {
            var response = ProblemDetails.methodNotAllowed("use POST").response(requestID: request.requestID)
            response.headers.set("Allow", "POST")
            return response
        }
        return await appChat(request)
    }

    private func appChat(_ request: HTTPRequest) async -> HTTPResponse {
        let started = service.clock.now()
        var principal: Principal?
        var user: APIService.ActingUser?
        var outcome: APIService.Outcome
        do {
            let validated = try await service.validator.validate(authorizationHeader: request.headers["Authorization"])
            principal = validated
            guard validated.kind == .application, validated.hasRole(configuration.callerRole) else {
                throw ProblemDetails.forbidden(code: "missing_role", "this route needs an app-only token with the \(configuration.callerRole) app role")
            }
            let context = try await verifyUserContext(request)
            // Set before the role check, so that a denied request's record names the user too.
            user = context.user
            try requireChatRole(context.roles)
            outcome = try await answer(request, caller: validated)
        } catch let rejection as TokenRejection {
            var problem = ProblemDetails.unauthorized(code: rejection.code.rawValue, rejection.reason)
            if let detail = rejection.detailCode { problem.extensions["token_error"] = detail }
            var response = problem.response(requestID: request.requestID)
            // RFC 6750 §3.1: no error code when the request carried no bearer credentials.
            let hasBearer = AccessTokenValidator.hasBearerScheme(request.headers["Authorization"])
            response.headers.set("WWW-Authenticate", hasBearer ? "Bearer error=\"invalid_token\"" : "Bearer")
            outcome = APIService.Outcome(response: response, reason: rejection.detailCode ?? rejection.code.rawValue)
        } catch let problem as ProblemDetails {
            outcome = APIService.Outcome(response: problem.response(requestID: request.requestID), reason: problem.code)
        } catch {
            service.logger.error("app chat failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            let problem = ProblemDetails.badGateway(code: "answer_failed", "the answer could not be produced; try again later")
            outcome = APIService.Outcome(response: problem.response(requestID: request.requestID), reason: "answer_failed")
        }

        // The record names the user from the verified context, and the calling app.
        if let producer = outcome.streamProducer {
            service.startStream(producer, request: request, action: "chat.app", started: started, principal: principal, user: user)
            return outcome.response
        }
        return await service.recorded(request, action: "chat.app", started: started, principal: principal, user: user, outcome: outcome)
    }

    /// Verifies `X-Moat-User-Context` and returns the user it names with the user's roles.
    private func verifyUserContext(_ request: HTTPRequest) async throws -> (user: APIService.ActingUser, roles: [String]) {
        guard let context = request.headers[Self.contextHeader] else {
            throw ProblemDetails.unauthorized(code: "user_context_missing", "send the signed-in user in \(Self.contextHeader)")
        }
        let policy = JWTValidationPolicy(
            issuer: configuration.userContextIssuer, audiences: [configuration.userContextAudience], allowedAlgorithms: [.es256],
            leeway: 30, maxTokenAge: 120, requiredClaims: ["iat", "oid", "tid"]
        )
        let verified: VerifiedJWT
        do {
            // A context naming an unknown kid causes one refetch, in case the web tier rotated its key.
            verified = try await configuration.userContextKeys.verify(context, policy: policy, now: service.clock.now())
        } catch let rejection where rejection.code == .keysUnavailable {
            service.logger.error("user context keys unavailable", metadata: ["moat.request.id": request.requestID, "moat.error": "\(rejection)"])
            throw ProblemDetails.serviceUnavailable(code: "user_context_keys_unavailable", "the web tier's user context keys could not be fetched; try again shortly")
        } catch {
            throw ProblemDetails.unauthorized(code: "user_context_invalid", "the user context is not valid: \(error.detailCode ?? error.code.rawValue)")
        }
        guard verified.string("htm") == request.method, verified.string("htu") == request.target,
              let tenantID = verified.string("tid"), let objectID = verified.string("oid")
        else {
            throw ProblemDetails.unauthorized(code: "user_context_invalid", "the user context was issued for another request")
        }
        let user = APIService.ActingUser(tenantID: tenantID, objectID: objectID, username: verified.string("preferred_username"), name: verified.string("name"))
        return (user, verified.strings("roles"))
    }

    /// Checks that the user has a chat role here too, not only the calling
    /// app. A context without a roles array grants nothing.
    private func requireChatRole(_ roles: [String]) throws(ProblemDetails) {
        let chatRoles = service.configuration.chatRoles
        guard roles.contains(where: chatRoles.contains) else {
            throw ProblemDetails.forbidden(
                code: "missing_role",
                "the signed-in user has none of the roles \(chatRoles.joined(separator: ", ")); ask an administrator to assign one"
            )
        }
    }

    /// Answers from documents readable by everyone, up to the configured clearance,
    /// through the same guardrails as user chat.
    private func answer(_ request: HTTPRequest, caller: Principal) async throws -> APIService.Outcome {
        let question = try service.parseQuestion(request)
        let clearance = min(configuration.clearance, service.answerer.clearance)
        let scope = ReaderScope(userID: caller.userID, groups: [], clearance: clearance)
        return try await service.guardedAnswer(request, question: question, scope: scope, viewerRoles: [], reason: "on_behalf_of_user")
    }
}
