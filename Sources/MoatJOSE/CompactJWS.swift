import Foundation
import MoatJSON

/// The parts of a JWS in compact serialization (RFC 7515 §7.1), decoded but not verified.
///
/// - Warning: nothing here is authenticated. Use ``JWSVerifier`` or
///   ``JWTVerifier``, which check the signature before returning these parts.
public struct CompactJWS: Sendable {
    /// The protected header, strict JSON without duplicate members.
    public let header: JSONObject
    /// The decoded payload bytes, not parsed.
    public let payload: Data
    /// The exact received ASCII bytes `header.payload`, which the signature covers (RFC 7515 §5.2 step 8).
    public let signingInput: Data
    public let signature: Data

    /// Limits for the protected header: small, shallow objects only.
    static let headerLimits = JSONLimits(maxDepth: 4, maxBytes: 8 * 1024)

    /// Splits and decodes a compact JWS.
    ///
    /// 1. Size: at most `maxLength` bytes (default 16 KiB), checked first.
    /// 2. Exactly three dot-separated segments, header and signature non-empty.
    ///    The payload may be empty (RFC 7515 allows it); a JWT verifier then
    ///    rejects it because it is not a JSON object.
    /// 3. Each segment is strict base64url (``Base64URL``).
    /// 4. The header is a strict JSON object.
    ///
    /// - Throws: ``JOSEError`` with `token_too_large`, `malformed_token`,
    ///   `invalid_base64url`, `invalid_json` or `duplicate_member`.
    public static func parse(_ token: String, maxLength: Int = 16 * 1024) throws(JOSEError) -> CompactJWS {
        let bytes = Array(token.utf8)
        guard bytes.count <= maxLength else {
            throw JOSEError(code: .tokenTooLarge, reason: "token is \(bytes.count) bytes, more than the limit of \(maxLength)")
        }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw JOSEError(code: .malformedToken, reason: "token has \(segments.count) segments; a compact JWS has exactly 3")
        }
        guard !segments[0].isEmpty else {
            throw JOSEError(code: .malformedToken, reason: "token header segment is empty")
        }
        guard !segments[2].isEmpty else {
            throw JOSEError(code: .malformedToken, reason: "token signature segment is empty")
        }
        let headerBytes = try decodeSegment(segments[0], name: "header")
        let payload = try decodeSegment(segments[1], name: "payload")
        let signature = try decodeSegment(segments[2], name: "signature")
        let header: JSONValue
        do {
            header = try JSONValue.parse(headerBytes, limits: headerLimits)
        } catch {
            let code: JOSEError.Code = error.code == .duplicateMember ? .duplicateMember : .invalidJSON
            throw JOSEError(code: code, reason: "token header is not strict JSON: \(error)")
        }
        guard case .object(let headerObject) = header else {
            throw JOSEError(code: .invalidJSON, reason: "token header is not a JSON object")
        }
        let signingInputLength = segments[0].count + 1 + segments[1].count
        return CompactJWS(
            header: headerObject, payload: payload,
            signingInput: Data(bytes.prefix(signingInputLength)), signature: signature)
    }

    private static func decodeSegment(_ segment: ArraySlice<UInt8>, name: String) throws(JOSEError) -> Data {
        do {
            return try Base64URL.decode(String(decoding: segment, as: UTF8.self))
        } catch {
            throw JOSEError(code: .invalidBase64URL, reason: "token \(name) segment: \(error.reason)")
        }
    }
}
