import Foundation
import MoatJSON

/// Verifies JWTs (RFC 7519) signed as compact JWS against a fixed key set and policy.
///
/// Verification runs in this fixed order and stops at the first failure, so
/// the error code names the earliest broken rule. In particular the
/// signature is checked before any claim, so a forged expired token reports
/// `invalid_signature`, not `token_expired`.
///
/// 1. Structure: exactly three segments, header and signature non-empty,
///    strict base64url, at most 16 KiB (``CompactJWS/parse(_:maxLength:)``).
/// 2. Protected header: a strict JSON object. A `crit` or `b64` parameter
///    rejects the token, and so do `jku`, `x5u`, `jwk` and `x5c`, which are
///    never used to find a key. `alg` must be one of the supported algorithms
///    (compared case-sensitively, so `none` and `HS*` fail) and in the
///    policy's allow-list.
/// 3. Key: by `kid` from the key set only, and its algorithm equals `alg`.
/// 4. Signature over the exact received signing input.
/// 5. Payload: strict UTF-8, strict JSON object without duplicate members.
/// 6. Claims (``validateClaims(_:now:)``): registered claim types, `exp`
///    present, `iss` exact match, `aud` contains a policy audience, `nbf`
///    and `iat` not after now + leeway, `exp` after now − leeway, then the
///    maximum age from `iat`.
public struct JWTVerifier: Sendable {
    public let policy: JWTValidationPolicy
    private let signatureVerifier: JWSVerifier

    public init(keySet: JSONWebKeySet, policy: JWTValidationPolicy) {
        self.policy = policy
        self.signatureVerifier = JWSVerifier(keySet: keySet, allowedAlgorithms: policy.allowedAlgorithms, pinnedCertificate: policy.pinnedCertificate)
    }

    /// Verifies `token` at time `now`.
    ///
    /// - Parameter now: the current time; tests pass a fixed date.
    /// - Throws: ``JOSEError`` whose code names the first rule that failed.
    public func verify(_ token: String, now: Date) throws(JOSEError) -> VerifiedJWT {
        let jws = try signatureVerifier.verify(token)
        let claims = try Self.parseClaims(jws.payloadBytes)
        try validateClaims(claims, now: now)
        return VerifiedJWT(headerIndex: jws.headerIndex, claimIndex: claims)
    }

    /// Step 5: the payload must be a strict JSON object. It is indexed, not
    /// decoded, because the claim checks read only some members.
    private static func parseClaims(_ payload: [UInt8]) throws(JOSEError) -> JSONObjectIndex {
        let index: JSONObjectIndex?
        do {
            index = try JSONObjectIndex.parse(bytes: payload, limits: JSONLimits(maxDepth: 16, maxBytes: 16 * 1024))
        } catch {
            let code: JOSEError.Code = error.code == .duplicateMember ? .duplicateMember : .invalidJSON
            throw JOSEError(code: code, reason: "token payload is not strict JSON: \(error)")
        }
        guard let index else {
            throw JOSEError(code: .invalidJSON, reason: "token payload is not a JSON object")
        }
        return index
    }
}
