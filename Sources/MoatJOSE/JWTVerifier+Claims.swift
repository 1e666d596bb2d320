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
        let claimPositions = CheckedClaimPositions(claims)
        try Self.checkTypes(claims, claimPositions)
        for claim in [CheckedClaim.expirationTime, .issuer, .audience] where claimPositions.position(claim) == nil {
            throw JOSEError(code: .missingClaim, reason: "required claim \"\(claim.name)\" is missing")
        }
        if let missing = policy.requiredClaimNames.first(where: { !claims.contains($0) }) {
            throw JOSEError(code: .missingClaim, reason: "required claim \"\(missing)\" is missing")
        }
        if policy.maxTokenAge != nil, claimPositions.position(.issuedAt) == nil {
            throw JOSEError(code: .missingClaim, reason: "required claim \"iat\" is missing")
        }

        // checkTypes and the presence check above make iss a string and aud present.
        let issuerPosition = claimPositions.position(.issuer)!
        guard issuerIsExpected(claims, issuerPosition: issuerPosition, tenantIDPosition: claimPositions.position(.tenantID)) else {
            let issuer = claims.string(at: issuerPosition) ?? ""
            throw JOSEError(code: .issuerMismatch, reason: "issuer \"\(issuer.prefix(200))\" is not one of the expected \(policy.issuers.map(\.template))")
        }
        guard audienceIsExpected(claims, audiencePosition: claimPositions.position(.audience)!) else {
            let audiences = Self.audiences(claims)
            throw JOSEError(code: .audienceMismatch, reason: "audience \(audiences.prefix(10)) contains none of the expected \(policy.audiences)")
        }

        let current = now.timeIntervalSince1970
        let leeway = policy.leeway
        if let notBefore = claimPositions.position(.notBefore).flatMap(claims.number(at:)), notBefore > current + leeway {
            throw JOSEError(code: .tokenNotYetValid, reason: "token is not valid before \(Self.describe(notBefore)); the time is \(Self.describe(current)), with \(Self.describe(seconds: leeway)) leeway")
        }
        let issuedAt = claimPositions.position(.issuedAt).flatMap(claims.number(at:))
        if let issuedAt, issuedAt > current + leeway {
            throw JOSEError(code: .issuedInFuture, reason: "token was issued at \(Self.describe(issuedAt)), after the time now (\(Self.describe(current))) plus \(Self.describe(seconds: leeway)) leeway")
        }
        let expiresAt = claimPositions.position(.expirationTime).flatMap(claims.number(at:)) ?? -.infinity
        guard expiresAt > current - leeway else {
            throw JOSEError(code: .tokenExpired, reason: "token expired at \(Self.describe(expiresAt)); the time is \(Self.describe(current)), with \(Self.describe(seconds: leeway)) leeway; get a new token")
        }
        if let maxTokenAge = policy.maxTokenAge, let issuedAt, current - issuedAt > maxTokenAge + leeway {
            throw JOSEError(code: .tokenTooOld, reason: "token issued at \(Self.describe(issuedAt)) is older than the maximum age of \(Self.describe(seconds: maxTokenAge)); get a new token")
        }
    }

    /// Formats a NumericDate (RFC 7519 §2) as UTC date and time with the raw value, for error reasons.
    static func describe(_ numericDate: Double) -> String {
        guard numericDate.isFinite, abs(numericDate) < 1e12 else { return "\(numericDate)" }
        let date = Date(timeIntervalSince1970: numericDate.rounded(.down))
        return "\(date.ISO8601Format()) (\(Int64(numericDate)))"
    }

    /// Formats a duration in whole seconds, for error reasons.
    static func describe(seconds: TimeInterval) -> String {
        "\(Int64(seconds.rounded())) s"
    }

    /// Checks a claim set held as a ``JSONObject`` by the rules of ``validateClaims(_:now:)-(JSONObjectIndex,_)``.
    public func validateClaims(_ claims: JSONObject, now: Date) throws(JOSEError) {
        try validateClaims(JSONObjectIndex(claims), now: now)
    }

    /// Compares `iss` with each expected issuer in place, and reads `tid` only when a multi-tenant issuer template needs it.
    private func issuerIsExpected(_ claims: JSONObjectIndex, issuerPosition: Int, tenantIDPosition: Int?) -> Bool {
        var tenantID: String?? = nil
        for pattern in policy.issuers {
            if pattern.isTenantTemplate, tenantID == nil {
                tenantID = .some(tenantIDPosition.flatMap(claims.string(at:)))
            }
            if let expected = pattern.expectedIssuer(tenantID: tenantID ?? nil), claims.stringEquals(at: issuerPosition, expected) {
                return true
            }
        }
        return false
    }

    /// True when `aud`, a string or an array of strings, contains one of the policy audiences.
    private func audienceIsExpected(_ claims: JSONObjectIndex, audiencePosition: Int) -> Bool {
        if claims.kind(at: audiencePosition) == .string {
            return policy.audiences.contains { claims.stringEquals(at: audiencePosition, $0) }
        }
        let audiences = claims.strings(at: audiencePosition) ?? []
        return audiences.contains(where: policy.audiences.contains)
    }

    private static func checkTypes(_ claims: JSONObjectIndex, _ claimPositions: CheckedClaimPositions) throws(JOSEError) {
        for claim in [CheckedClaim.issuer, .subject, .jwtID] {
            if let found = claimPositions.position(claim), claims.kind(at: found) != .string {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(claim.name)\" must be a string")
            }
        }
        if let found = claimPositions.position(.audience) {
            guard claims.kind(at: found) == .string || claims.isStringArray(at: found) else {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"aud\" must be a string or an array of strings")
            }
        }
        // RFC 7519 §2 NumericDate: a JSON number; the parser already rejects non-finite values.
        for claim in [CheckedClaim.expirationTime, .notBefore, .issuedAt] {
            if let found = claimPositions.position(claim), claims.kind(at: found) != .integer, claims.kind(at: found) != .double {
                throw JOSEError(code: .invalidClaimType, reason: "claim \"\(claim.name)\" must be a number (NumericDate)")
            }
        }
    }

    static func audiences(_ claims: JSONObjectIndex) -> [String] {
        if let single = claims.string(RegisteredClaim.audience) { return [single] }
        return claims.strings(RegisteredClaim.audience) ?? []
    }
}

/// The claims that ``JWTVerifier/validateClaims(_:now:)-(JSONObjectIndex,_)`` reads,
/// found in one pass over the claim set. The raw value indexes ``table``.
private enum CheckedClaim: Int {
    case issuer, subject, audience, expirationTime, notBefore, issuedAt, jwtID, tenantID

    static let table = JSONMemberNameTable([
        RegisteredClaim.issuer, RegisteredClaim.subject, RegisteredClaim.audience, RegisteredClaim.expirationTime,
        RegisteredClaim.notBefore, RegisteredClaim.issuedAt, RegisteredClaim.jwtID, IssuerPattern.tenantIDClaim,
    ])

    var name: JSONMemberName { Self.table.names[rawValue] }
}

/// The position of each ``CheckedClaim`` in a claim set, in fixed-size
/// storage, because a heap array per token showed up in profiles.
private struct CheckedClaimPositions {
    /// Member position per ``CheckedClaim`` raw value, or -1 when absent.
    /// Its size must be at least the number of claims; a larger table traps on the first write.
    private var positions = InlineArray<8, Int32>(repeating: -1)

    init(_ claims: JSONObjectIndex) {
        // Int32 halves the storage. A position beyond Int32.max would trap here.
        claims.forEachMember(in: CheckedClaim.table) { entry, position in
            positions[entry] = Int32(position)
        }
    }

    func position(_ claim: CheckedClaim) -> Int? {
        let position = positions[claim.rawValue]
        return position < 0 ? nil : Int(position)
    }
}
