import Foundation
import MoatJSON

extension JWTVerifier {
    /// Step 6 of verification: checks a claim set against ``policy`` at `now`.
    ///
    /// 1. Types (RFC 7519 §4.1): `iss`, `sub` and `jti` strings, `aud` a string or an
    ///    array of strings, `exp`, `nbf` and `iat` numbers → else `invalid_claim_type`.
    /// 2. Presence: `exp`, `iss`, `aud`, every ``JWTValidationPolicy/requiredClaims``
    ///    entry, and `iat` when a maximum age is set → else `missing_claim`.
    /// 3. `iss` equals exactly what one of the policy's issuers expects
    ///    (``IssuerPattern/expectedIssuer(for:)``) → else `issuer_mismatch`.
    /// 4. `aud` contains one of the policy audiences → else `audience_mismatch`.
    /// 5. `nbf` ≤ now + leeway → else `token_not_yet_valid`.
    /// 6. `iat` ≤ now + leeway → else `issued_in_future`.
    /// 7. `exp` > now − leeway → else `token_expired`.
    /// 8. now − `iat` ≤ maximum age + leeway → else `token_too_old`.
    public func validateClaims(_ claims: JSONObject, now: Date) throws(JOSEError) {
        try Self.checkTypes(claims)
        var required = ["exp", "iss", "aud"] + policy.requiredClaims
        if policy.maxTokenAge != nil { required.append("iat") }
        if let missing = required.first(where: { claims[$0] == nil }) {
            throw JOSEError(code: .missingClaim, reason: "required claim \"\(missing)\" is missing")
        }

        let issuer = claims["iss"]?.stringValue ?? ""
        guard policy.issuers.contains(where: { $0.expectedIssuer(for: claims) == issuer }) else {
            throw JOSEError(code: .issuerMismatch, reason: "issuer \"\(issuer.prefix(200))\" is not one of the expected \(policy.issuers.map(\.template))")
        }
        let audiences = Self.audiences(claims)
        guard audiences.contains(where: policy.audiences.contains) else {
            throw JOSEError(code: .audienceMismatch, reason: "audience \(audiences.prefix(10)) contains none of the expected \(policy.audiences)")
        }

        let current = now.timeIntervalSince1970
        let leeway = policy.leeway
        if let notBefore = claims["nbf"]?.doubleValue, notBefore > current + leeway {
            throw JOSEError(code: .tokenNotYetValid, reason: "token is not valid before \(notBefore), now is \(current) with \(leeway) s leeway")
        }
        let issuedAt = claims["iat"]?.doubleValue
        if let issuedAt, issuedAt > current + leeway {
            throw JOSEError(code: .issuedInFuture, reason: "token was issued at \(issuedAt), after now \(current) plus \(leeway) s leeway")
        }
        let expiresAt = claims["exp"]?.doubleValue ?? -.infinity
        guard expiresAt > current - leeway else {
            throw JOSEError(code: .tokenExpired, reason: "token expired at \(expiresAt), now is \(current) with \(leeway) s leeway")
        }
        if let maxTokenAge = policy.maxTokenAge, let issuedAt, current - issuedAt > maxTokenAge + leeway {
            throw JOSEError(code: .tokenTooOld, reason: "token issued at \(issuedAt) is older than the maximum age of \(maxTokenAge) s")
        }
    }

    private static func checkTypes(_ claims: JSONObject) throws(JOSEError) {
        for name in ["iss", "sub", "jti"] {
            if let value = claims[name], value.stringValue == nil {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(name)\" must be a string")
            }
        }
        if let audience = claims["aud"] {
            let isString = audience.stringValue != nil
            let isStringArray = audience.arrayValue.map { $0.allSatisfy { $0.stringValue != nil } } ?? false
            guard isString || isStringArray else {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"aud\" must be a string or an array of strings")
            }
        }
        // RFC 7519 §2 NumericDate: a JSON number; the parser already rejects non-finite values.
        for name in ["exp", "nbf", "iat"] {
            if let value = claims[name], value.doubleValue == nil {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(name)\" must be a number (NumericDate)")
            }
        }
    }

    static func audiences(_ claims: JSONObject) -> [String] {
        switch claims["aud"] {
        case .string(let single)?: [single]
        case .array(let list)?: list.compactMap(\.stringValue)
        default: []
        }
    }
}
