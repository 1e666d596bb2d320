import Foundation
import MoatCore
import MoatHTTP
import MoatIdentity
import MoatJOSE

/// Azure App Service authentication ("Easy Auth") as the front door.
///
/// App Service signs the user in and forwards the tokens of its token store
/// in `X-MS-TOKEN-AAD-ID-TOKEN` and `X-MS-TOKEN-AAD-ACCESS-TOKEN`, beside the
/// unsigned `X-MS-CLIENT-PRINCIPAL*` fields. This front door trusts only the
/// tokens, because they carry the issuer's signature: a request that reaches
/// the app without passing App Service (another network path, or
/// authentication switched off) can set any header, but cannot forge a token.
///
/// Checks, in order:
/// 1. With ``Configuration/accessTokenValidator`` set (pattern 1), the access
///    token is required and validated like any bearer token of the api:
///    issuer, audience, signature from the issuer's JWKS, time claims, tenant
///    and calling application. It must be a user's (delegated) token.
/// 2. The ID token is required when there is no access token validator
///    (pattern 2), and validated whenever present: signature, `iss`, `aud`
///    equal to ``Configuration/clientID``, time claims, and the tenant. Its
///    `nonce` cannot be checked here, because App Service checked it at sign-in.
/// 3. Both tokens, when both are present, name the same `tid` and `oid`, and
///    `X-MS-CLIENT-PRINCIPAL-ID`, when present, equals that `oid`.
///
/// Roles and groups come from the access token when one is validated, else
/// from the ID token. The anti-CSRF token is bound to App Service's session
/// cookie (`AppServiceAuthSession`), or, without it, to the ID token's `sid`.
///
/// Tokens that pass every check except their expiry get 401
/// `front_door_token_expired` (``tokenExpiredCode``). The chat page then calls
/// App Service's `/.auth/refresh` once and retries. Any other fault keeps its own code.
public struct AppServiceFrontDoor: FrontDoor {
    /// Settings: which issuer and registration App Service signs users in with.
    public struct Configuration: Sendable {
        /// The v2.0 issuer, for example `https://login.microsoftonline.com/<tenant id>/v2.0`.
        public var issuer: String
        /// Client id of the registration App Service signs users in with, the ID token's `aud`.
        public var clientID: String
        /// Tenants whose users are accepted; empty means the tenant named in ``issuer``.
        public var allowedTenants: [String]
        /// Clock leeway in seconds for the ID token's time claims. Default 60.
        public var leeway: TimeInterval
        /// Validates the forwarded access token; nil when only the ID token is used.
        public var accessTokenValidator: AccessTokenValidator?

        public init(
            issuer: String, clientID: String, allowedTenants: [String] = [], leeway: TimeInterval = 60,
            accessTokenValidator: AccessTokenValidator? = nil
        ) {
            self.issuer = issuer
            self.clientID = clientID
            self.allowedTenants = allowedTenants
            self.leeway = leeway
            self.accessTokenValidator = accessTokenValidator
        }
    }

    static let idTokenHeader = "X-MS-TOKEN-AAD-ID-TOKEN"
    static let accessTokenHeader = "X-MS-TOKEN-AAD-ACCESS-TOKEN"
    static let principalIDHeader = "X-MS-CLIENT-PRINCIPAL-ID"
    /// The cookie in which App Service keeps its session.
    static let sessionCookie = "AppServiceAuthSession"

    public let configuration: Configuration
    let keys: KeySetCache
    let clock: any WallClock
    let logger: Logger

    /// - Parameter keys: the issuer's signing keys, for the ID token.
    public init(configuration: Configuration, keys: KeySetCache, clock: any WallClock = SystemClock(), logger: Logger = .disabled) {
        self.configuration = configuration
        self.keys = keys
        self.clock = clock
        self.logger = logger
    }

    public func authenticate(_ request: HTTPRequest) async throws -> FrontDoorIdentity {
        let idToken = request.headers[Self.idTokenHeader].flatMap { $0.isEmpty ? nil : $0 }
        let accessToken = request.headers[Self.accessTokenHeader].flatMap { $0.isEmpty ? nil : $0 }

        var fromAccessToken: Principal?
        var expired = false
        if let validator = configuration.accessTokenValidator {
            guard let accessToken else {
                throw reject(request, code: "front_door_token_missing", "App Service forwarded no access token; enable its token store and request the api's scope at sign-in")
            }
            let validated = try await validateAccessToken(accessToken, validator: validator, request: request)
            fromAccessToken = validated.principal
            expired = validated.expired
        } else if idToken == nil {
            throw reject(request, code: "front_door_token_missing", "App Service forwarded no ID token; enable its token store")
        }
        var fromIDToken: IDTokenClaims?
        if let idToken {
            let validated = try await validateIDToken(idToken, request: request)
            fromIDToken = validated.claims
            expired = expired || validated.expired
        }

        guard let identity = fromAccessToken.map(IDTokenClaims.init(principal:)) ?? fromIDToken else {
            throw reject(request, code: "front_door_token_missing", "App Service forwarded no token")
        }
        if let fromIDToken, fromIDToken.tenantID != identity.tenantID || fromIDToken.objectID != identity.objectID {
            throw reject(request, code: "front_door_principal_mismatch", "the ID token and the access token name different users")
        }
        if let headerID = request.headers[Self.principalIDHeader], headerID != identity.objectID {
            throw reject(request, code: "front_door_principal_mismatch", "X-MS-CLIENT-PRINCIPAL-ID does not name the user of the forwarded token")
        }
        // Only now, after every other check passed, is expiry the sole fault.
        if expired {
            throw rejectExpired(request)
        }

        let user = GatewayUser(
            tenantID: identity.tenantID, objectID: identity.objectID,
            name: identity.name ?? fromIDToken?.name, username: identity.username ?? fromIDToken?.username,
            roles: identity.roles, groups: identity.groups, accessToken: fromAccessToken == nil ? nil : accessToken
        )
        let session = request.cookies[Self.sessionCookie].flatMap { $0.isEmpty ? nil : $0 } ?? fromIDToken?.sessionID
        return FrontDoorIdentity(user: user, sessionBinding: session)
    }

    /// Validates the forwarded access token. A token rejected only for its `exp` is validated
    /// again as of its last valid moment, and `expired` is true when that passes.
    private func validateAccessToken(
        _ token: String, validator: AccessTokenValidator, request: HTTPRequest
    ) async throws -> (principal: Principal, expired: Bool) {
        let principal: Principal
        var expired = false
        do {
            principal = try await validator.validate(token: token)
        } catch where Self.isExpiry(error) {
            do {
                principal = try await validateExpiredAccessToken(token, validator: validator, rejection: error)
            } catch {
                throw rejectToken(request, error, kind: "access token")
            }
            expired = true
        } catch {
            throw rejectToken(request, error, kind: "access token")
        }
        guard principal.kind == .user else {
            throw reject(request, code: "front_door_token_invalid", "the forwarded access token is an application's token, not a signed-in user's")
        }
        return (principal, expired)
    }

    /// Logs the rejection with the request id and returns the 401 to throw.
    func reject(_ request: HTTPRequest, code: String, _ reason: String) -> ProblemDetails {
        logger.warning("front door rejected the request", metadata: ["moat.request.id": request.requestID, "moat.auth.code": code])
        return ProblemDetails.unauthorized(code: code, reason)
    }

    /// Maps a token rejection to 503 when the issuer's keys are unavailable, else to 401.
    func rejectToken(_ request: HTTPRequest, _ rejection: TokenRejection, kind: String) -> ProblemDetails {
        logger.warning("front door token rejected", metadata: [
            "moat.request.id": request.requestID, "moat.auth.code": rejection.code.rawValue,
            "moat.auth.detail": rejection.detailCode ?? "", "moat.auth.token": kind,
        ])
        if rejection.code == .keysUnavailable {
            return ProblemDetails.serviceUnavailable(code: "issuer_keys_unavailable", "the issuer's signing keys could not be fetched; try again shortly")
        }
        var problem = ProblemDetails.unauthorized(code: "front_door_token_invalid", "the forwarded \(kind) is not valid (\(rejection.code.rawValue)); sign in again")
        problem.extensions["token_error"] = rejection.detailCode ?? rejection.code.rawValue
        return problem
    }
}
