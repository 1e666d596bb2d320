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
    ///    (``IssuerPattern/expectedIssuer(tenantID:)``) → else `issuer_mismatch`.
    /// 4. `aud` contains one of the policy audiences → else `audience_mismatch`.
    /// 5. `nbf` ≤ now + leeway → else `token_not_yet_valid`.
    /// 6. `iat` ≤ now + leeway → else `issued_in_future`.
    /// 7. `exp` > now − leeway → else `token_expired`.
    /// 8. now − `iat` ≤ maximum age + leeway → else `token_too_old`.
    public func validateClaims(_ claims: JSONObjectIndex, now: Date) throws(JOSEError) {
        try Self.checkTypes(claims)
        let alwaysRequired = [RegisteredClaim.expirationTime, RegisteredClaim.issuer, RegisteredClaim.audience]
        if let missing = alwaysRequired.first(where: { !claims.contains($0) }) {
            throw JOSEError(code: .missingClaim, reason: "required claim \"\(missing)\" is missing")
        }
        if let missing = policy.requiredClaimNames.first(where: { !claims.contains($0) }) {
            throw JOSEError(code: .missingClaim, reason: "required claim \"\(missing)\" is missing")
        }
        if policy.maxTokenAge != nil, !claims.contains(RegisteredClaim.issuedAt) {
            throw JOSEError(code: .missingClaim, reason: "required claim \"iat\" is missing")
        }

        let issuer = claims.string(RegisteredClaim.issuer) ?? ""
        guard issuerIsExpected(issuer, claims) else {
            throw JOSEError(code: .issuerMismatch, reason: "issuer \"\(issuer.prefix(200))\" is not one of the expected \(policy.issuers.map(\.template))")
        }
        let audiences = Self.audiences(claims)
        guard audiences.contains(where: policy.audiences.contains) else {
            throw JOSEError(code: .audienceMismatch, reason: "audience \(audiences.prefix(10)) contains none of the expected \(policy.audiences)")
        }

        let current = now.timeIntervalSince1970
        let leeway = policy.leeway
        if let notBefore = claims.number(RegisteredClaim.notBefore), notBefore > current + leeway {
            throw JOSEError(code: .tokenNotYetValid, reason: "token is not valid before \(notBefore), now is \(current) with \(leeway) s leeway")
        }
        let issuedAt = claims.number(RegisteredClaim.issuedAt)
        if let issuedAt, issuedAt > current + leeway {
            throw JOSEError(code: .issuedInFuture, reason: "token was issued at \(issuedAt), after now \(current) plus \(leeway) s leeway")
        }
        let expiresAt = claims.number(RegisteredClaim.expirationTime) ?? -.infinity
        guard expiresAt > current - leeway else {
            throw JOSEError(code: .tokenExpired, reason: "token expired at \(expiresAt), now is \(current) with \(leeway) s leeway")
        }
        if let maxTokenAge = policy.maxTokenAge, let issuedAt, current - issuedAt > maxTokenAge + leeway {
            throw JOSEError(code: .tokenTooOld, reason: "token issued at \(issuedAt) is older than the maximum age of \(maxTokenAge) s")
        }
    }

    /// Checks a claim set held as a ``JSONObject`` by the rules of ``validateClaims(_:now:)-(JSONObjectIndex,_)``.
    public func validateClaims(_ claims: JSONObject, now: Date) throws(JOSEError) {
        try validateClaims(JSONObjectIndex(claims), now: now)
    }

    /// Reads `tid` only when a multi-tenant issuer template needs it.
    private func issuerIsExpected(_ issuer: String, _ claims: JSONObjectIndex) -> Bool {
        var tenantID: String?? = nil
        for pattern in policy.issuers {
            if pattern.isTenantTemplate, tenantID == nil {
                tenantID = .some(claims.string(IssuerPattern.tenantIDClaim))
            }
            if pattern.expectedIssuer(tenantID: tenantID ?? nil) == issuer { return true }
        }
        return false
    }

    private static func checkTypes(_ claims: JSONObjectIndex) throws(JOSEError) {
        for name in [RegisteredClaim.issuer, RegisteredClaim.subject, RegisteredClaim.jwtID] {
            if let kind = claims.kind(of: name), kind != .string {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(name)\" must be a string")
            }
        }
        if let kind = claims.kind(of: RegisteredClaim.audience) {
            guard kind == .string || claims.isStringArray(RegisteredClaim.audience) else {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"aud\" must be a string or an array of strings")
            }
        }
        // RFC 7519 §2 NumericDate: a JSON number; the parser already rejects non-finite values.
        for name in [RegisteredClaim.expirationTime, RegisteredClaim.notBefore, RegisteredClaim.issuedAt] {
            if let kind = claims.kind(of: name), kind != .integer, kind != .double {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(name)\" must be a number (NumericDate)")
            }
        }
    }

    static func audiences(_ claims: JSONObjectIndex) -> [String] {
        if let single = claims.string(RegisteredClaim.audience) { return [single] }
        return claims.strings(RegisteredClaim.audience) ?? []
    }
}
