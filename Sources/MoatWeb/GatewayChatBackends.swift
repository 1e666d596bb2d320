import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// Pattern 1: the api runs in the same process and gets the user's own
/// access token, which the gateway forwarded. A streamed answer is the api's
/// own event stream, handed to the web tier's server without a copy.
public struct InProcessChatBackend: GatewayChatBackend {
    let api: any HTTPResponder

    public init(api: any HTTPResponder) {
        self.api = api
    }

    public func chat(_ body: Data, format: ChatResponseFormat, user: GatewayUser, requestID: String) async -> HTTPResponse {
        guard let token = user.accessToken else {
            return ProblemDetails.unauthorized(code: "access_token_missing", "the gateway forwarded no access token; enable gateway.forward_tokens")
                .response(requestID: requestID)
        }
        let request = HTTPRequest(
            method: "POST", target: "/v1/chat",
            headers: HTTPHeaders([("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Accept", format.acceptHeader)]),
            body: body, requestID: requestID
        )
        return await api.respond(to: request)
    }
}

/// Pattern 2: the web tier calls the api with its own client-credentials
/// token (an app role, no user), and names the user only in a signed
/// context header that the api writes to the audit log.
///
/// The context is a JWT (`typ: moat-user-context+jwt`, ES256) with `iss`
/// (the web tier's URL), `aud` (the api), `iat`, `exp` (60 s), `jti`,
/// `oid`, `tid`, `name`, `preferred_username`, `htm` and `htu`.
///
/// A streamed answer is relayed from the api while it arrives (see ``ChatStreamRelay``).
public struct AppIdentityChatBackend: GatewayChatBackend {
    /// The header field that carries the user context.
    public static let contextHeader = "X-Moat-User-Context"
    static let contextType = "moat-user-context+jwt"
    static let chatPath = "/v1/app/chat"

    let apiBaseURL: URL
    let tokens: ClientCredentialsClient
    let signer: JWTSigner
    let issuer: String
    let audience: String
    let client: HTTPClient
    let clock: any WallClock
    let logger: Logger

    /// - Parameters:
    ///   - contextKey: P-256 key that signs the user context; the api verifies it with ``contextKeySet``.
    ///   - issuer: the web tier's URL, the context's `iss`.
    ///   - audience: the api's client id, the context's `aud`.
    public init(
        apiBaseURL: URL, tokens: ClientCredentialsClient, contextKey: PrivateKey, issuer: String, audience: String,
        client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) throws {
        self.apiBaseURL = apiBaseURL
        self.tokens = tokens
        self.signer = try JWTSigner(privateKey: contextKey, algorithm: .es256, keyID: "web-context")
        self.issuer = issuer
        self.audience = audience
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    /// The key set that verifies the user context.
    public var contextKeySet: JSONWebKeySet {
        // One key with a unique kid cannot fail the duplicate check.
        try! JSONWebKeySet(keys: [signer.publicJWK])
    }

    public func chat(_ body: Data, format: ChatResponseFormat, user: GatewayUser, requestID: String) async -> HTTPResponse {
        do {
            let token = try await tokens.accessToken()
            let now = Int64(clock.now().timeIntervalSince1970)
            var claims: JSONObject = [
                "iss": .string(issuer), "aud": .string(audience), "iat": .integer(now), "nbf": .integer(now),
                "exp": .integer(now + 60), "jti": .string(SecureRandom.token(byteCount: 16)),
                "oid": .string(user.objectID), "tid": .string(user.tenantID), "htm": "POST", "htu": .string(Self.chatPath),
            ]
            if let name = user.name { claims["name"] = .string(name) }
            if let username = user.username { claims["preferred_username"] = .string(username) }
            // The api checks the user's app roles again at its own hop.
            claims["roles"] = .array(user.roles.map { .string($0) })
            let context = try signer.sign(claims: claims, type: Self.contextType)
            let headers = HTTPHeaders([
                ("Authorization", "Bearer \(token)"), (Self.contextHeader, context), ("Content-Type", "application/json"),
                ("Accept", format.acceptHeader), ("X-Request-Id", requestID),
            ])
            let url = apiBaseURL.appendingPathComponent(String(Self.chatPath.dropFirst()))
            if format == .eventStream {
                return try await ChatStreamRelay(logger: logger).relay(to: url, headers: headers, body: body, requestID: requestID)
            }
            let reply = try await client.send(HTTPClientRequest(method: "POST", url: url, headers: headers, body: body, timeout: 120, maxResponseBytes: 4 << 20))
            var response = HTTPResponse(status: reply.status, body: reply.body)
            response.headers.set("Content-Type", reply.headers["Content-Type"] ?? "application/json")
            return response
        } catch {
            logger.error("api call with the app identity failed", metadata: ["moat.request.id": requestID, "moat.error": "\(error)"])
            return ProblemDetails.badGateway(code: "api_unreachable", "the api could not be reached; try again shortly").response(requestID: requestID)
        }
    }
}
