import Foundation
import MoatCore
import MoatHTTP
import MoatIdentity
import MoatJOSE

/// `moat gateway` as the front door: every request needs a valid
/// `X-Moat-Gateway-Assertion`.
///
/// The assertion must be signed (ES256) by a key from the gateway's
/// `/.auth/keys`, issued by the gateway (`iss`) for this tier's origin (`aud`),
/// at most two minutes old, and bound to the request's method and target
/// (`htm`, `htu`). The anti-CSRF token is bound to the assertion's `sid`, a
/// hash of the gateway session id.
public struct GatewayAssertionFrontDoor: FrontDoor {
    /// The header field that carries the assertion.
    public static let assertionHeader = "X-Moat-Gateway-Assertion"

    /// The gateway's public URL, the assertion's `iss`.
    public let gatewayURL: String
    /// This tier's origin, the assertion's `aud`.
    public let audience: String
    let keys: KeySetCache
    let clock: any WallClock
    let logger: Logger

    /// - Parameter keys: the gateway's assertion keys; build it with
    ///   ``keySetCache(keysURL:gatewayURL:timeToLive:refetchCooldown:clock:logger:)`` to fetch them from the gateway.
    public init(gatewayURL: String, audience: String, keys: KeySetCache, clock: any WallClock = SystemClock(), logger: Logger = .disabled) {
        self.gatewayURL = gatewayURL
        self.audience = audience
        self.keys = keys
        self.clock = clock
        self.logger = logger
    }

    /// A key cache that fetches the gateway's assertion keys from `keysURL`
    /// (normally `<gateway>/.auth/keys`), keeps them for `timeToLive` seconds and
    /// refetches at most once per `refetchCooldown` seconds when an assertion
    /// names an unknown `kid`.
    public static func keySetCache(
        keysURL: URL, gatewayURL: String, timeToLive: TimeInterval = 300, refetchCooldown: TimeInterval = 30,
        clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) -> KeySetCache {
        KeySetCache(
            source: HTTPKeySetSource(issuer: gatewayURL, jwksURI: keysURL), timeToLive: timeToLive,
            refetchCooldown: refetchCooldown, clock: clock, logger: logger
        )
    }

    public func authenticate(_ request: HTTPRequest) async throws -> FrontDoorIdentity {
        guard let assertion = request.headers[Self.assertionHeader] else {
            throw ProblemDetails.unauthorized(code: "gateway_assertion_missing", "this service is reachable only through the gateway")
        }
        let policy = JWTValidationPolicy(
            issuer: gatewayURL, audiences: [audience], allowedAlgorithms: [.es256],
            leeway: 30, maxTokenAge: 120, requiredClaims: ["iat", "oid", "tid"]
        )
        let verified: VerifiedJWT
        do {
            verified = try await keys.verify(assertion, policy: policy, now: clock.now())
        } catch {
            logger.warning("gateway assertion rejected", metadata: [
                "moat.request.id": request.requestID, "moat.auth.code": error.detailCode ?? error.code.rawValue,
            ])
            if error.code == .keysUnavailable {
                throw ProblemDetails.serviceUnavailable(code: "gateway_keys_unavailable", "the gateway's assertion keys could not be fetched; try again shortly")
            }
            throw ProblemDetails.unauthorized(code: "gateway_assertion_invalid", "the gateway assertion is not valid")
        }
        guard verified.string("htm") == request.method, verified.string("htu") == request.target else {
            throw ProblemDetails.unauthorized(code: "gateway_assertion_invalid", "the gateway assertion was issued for another request")
        }
        let user = GatewayUser(
            tenantID: verified.string("tid") ?? "", objectID: verified.string("oid") ?? "", name: verified.string("name"),
            username: verified.string("preferred_username"), roles: verified.strings("roles"), groups: verified.strings("groups"),
            accessToken: request.headers["X-MS-TOKEN-AAD-ACCESS-TOKEN"]
        )
        return FrontDoorIdentity(user: user, sessionBinding: verified.string("sid"))
    }
}
