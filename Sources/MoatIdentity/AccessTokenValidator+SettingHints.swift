import Foundation
import MoatJOSE

extension AccessTokenValidator {
    /// Adds the setting to change to a rejection from the JOSE layer, which has no configuration names.
    /// The code and detail code stay as they are.
    func addingSettingHint(to rejection: TokenRejection, token: String) -> TokenRejection {
        let section = policy.settingsSection
        switch rejection.detailCode {
        case JOSEError.Code.algorithmNotAllowed.name:
            let accepted = policy.allowedAlgorithms.map(\.rawValue).sorted().joined(separator: ", ")
            return TokenRejection(
                rejection.code, detailCode: rejection.detailCode,
                "\(rejection.reason); this API accepts \(accepted), set in \(section).algorithms")
        case JOSEError.Code.unsupportedAlgorithm.name:
            // No setting enables none, HMAC or another unimplemented algorithm, so the hint names none.
            let accepted = policy.allowedAlgorithms.map(\.rawValue).sorted().joined(separator: ", ")
            return TokenRejection(
                rejection.code, detailCode: rejection.detailCode,
                "\(rejection.reason); this API accepts \(accepted); request a token signed with one of them")
        case JOSEError.Code.issuerMismatch.name where policy.v1Issuer == nil && Self.versionClaim(of: token) == EntraTokenVersion.v1.rawValue:
            // Only reached after the signature check, so the payload read here is authenticated.
            return TokenRejection(
                rejection.code, detailCode: rejection.detailCode,
                "\(rejection.reason); the token is a v1.0 token (ver 1.0), which this API accepts only when \(section).v1_issuer is set "
                    + "(Entra ID: https://sts.windows.net/{tenantid}/), or request a v2.0 token")
        default:
            return rejection
        }
    }

    /// Reads the `ver` claim of a compact JWT's payload. Returns nil when it is absent or the payload does not decode.
    static func versionClaim(of token: String) -> String? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = try? Base64URL.decode(segments[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        return claims["ver"] as? String
    }
}
