import Foundation
import MoatCore
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// Expired forwarded tokens.
///
/// App Service does not refresh its token store by itself: the browser must call
/// `GET /.auth/refresh`, which redeems the stored refresh token at the issuer (the
/// sign-in must request `offline_access`) and returns 200, or 401 when it cannot.
/// So a token that fails only because it expired gets its own problem code,
/// `front_door_token_expired`, which tells the chat page to refresh and retry once.
/// A token with any other fault keeps its usual code, so the hint never turns a
/// forged or misdirected token into a refresh.
extension AppServiceFrontDoor {
    /// App Service's endpoint that redeems the stored refresh token, called with GET from the browser.
    public static let refreshPath = "/.auth/refresh"
    /// App Service's sign-in with Microsoft Entra ID, returning to the chat page afterwards.
    public static let signInPath = "/.auth/login/aad?post_login_redirect_uri=/"
    /// The problem code for tokens that pass every check but their expiry.
    public static let tokenExpiredCode = "front_door_token_expired"

    /// Logs the rejection and returns the 401 that names the refresh and sign-in paths in the
    /// members `refresh_url` and `login_url`. Nothing of the tokens goes into either.
    func rejectExpired(_ request: HTTPRequest) -> ProblemDetails {
        var problem = reject(
            request, code: Self.tokenExpiredCode,
            "the tokens App Service forwarded have expired; refresh them with GET \(Self.refreshPath) and retry, or sign in again at \(Self.signInPath)"
        )
        problem.extensions["refresh_url"] = Self.refreshPath
        problem.extensions["login_url"] = Self.signInPath
        return problem
    }

    /// True when the JOSE layer rejected the token for its `exp` alone. The verifier checks the
    /// signature, `iss`, `aud`, `nbf` and `iat` before `exp`, so those already passed.
    static func isExpiry(_ rejection: TokenRejection) -> Bool {
        rejection.detailCode == JOSEError.Code.tokenExpired.name
    }

    /// Returns one second before the token's `exp`, the last moment at which the token
    /// was valid, or nil when the payload has no numeric `exp`. The caller validates the
    /// token again as of this moment, so every check after `exp` runs too.
    static func lastValidMoment(of token: String) -> Date? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = try? Base64URL.decode(segments[1]),
              let claims = try? JSONValue.parse(payload)
        else { return nil }
        let expiresAt: Double
        switch claims["exp"] {
        case .integer(let seconds)?: expiresAt = Double(seconds)
        case .double(let seconds)?: expiresAt = seconds
        default: return nil
        }
        return Date(timeIntervalSince1970: expiresAt - 1)
    }

    /// Validates an access token that `validator` rejected as expired again as of its last valid
    /// moment, with the same policy and this front door's keys.
    ///
    /// NOTE: `AccessTokenValidator` does not expose its group resolver, so the second
    /// validation has none. A token with a group overage then keeps its usual rejection
    /// (fail closed), which matters only once a resolver is configured for this front door.
    func validateExpiredAccessToken(_ token: String, validator: AccessTokenValidator, rejection: TokenRejection) async throws(TokenRejection) -> Principal {
        guard let moment = Self.lastValidMoment(of: token) else { throw rejection }
        let validatorAtExpiry = AccessTokenValidator(policy: validator.policy, keys: keys, clock: ManualClock(moment))
        return try await validatorAtExpiry.validate(token: token)
    }
}
