import Foundation
import MoatJSON

/// The parts of a JWS in compact serialization (RFC 7515 §7.1), decoded but not verified.
///
/// - Warning: nothing here is authenticated. Use ``JWSVerifier`` or
///   ``JWTVerifier``, which check the signature before returning these parts.
public struct CompactJWS: Sendable {
    /// The protected header, strict JSON without duplicate members, decoded on each read.
    public var header: JSONObject { headerIndex.object() }
    /// The protected header, validated, whose members are decoded only when read.
    public let headerIndex: JSONObjectIndex
    /// The decoded payload bytes, not parsed.
    public var payload: Data { Data(payloadBytes) }
    /// The decoded payload, kept as an array that the JSON parser reads without a copy.
    let payloadBytes: [UInt8]
    /// The exact received ASCII bytes `header.payload`, which the signature covers (RFC 7515 §5.2 step 8).
    /// Each read copies them out of the token.
    public var signingInput: Data { Data(token.utf8.prefix(signingInputCount)) }
    /// The decoded signature, copied on each read.
    public var signature: Data { signatureBytes.withBytes { Data($0) } }
    /// The received token, kept so that verification hashes its bytes in place.
    let token: String
    /// Length in bytes of the signing input, the token up to its second dot.
    let signingInputCount: Int
    /// Length in bytes of the header segment, the token up to its first dot.
    let headerSegmentCount: Int
    /// The entry of the verifier's cache whose segment equals this header, when there was one.
    let verifiedHeader: VerifiedHeaderCache.Entry?
    // nonisolated(unsafe): ManagedBuffer is not Sendable, but DecodedSignature's bytes are written only before parse returns.
    nonisolated(unsafe) let signatureBytes: DecodedSignature

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
        var text = token
        // withUTF8 is rethrows, which loses the typed error, so the result is carried out in a Result.
        let result = text.withUTF8 { bytes in
            Result { () throws(JOSEError) in try parse(bytes: bytes, maxLength: maxLength, token: token, verifiedHeaders: nil) }
        }
        return try result.get()
    }

    /// Splits and decodes a compact JWS like ``parse(_:maxLength:)``, but takes
    /// the header from `verifiedHeaders` when its segment is there.
    static func parse(_ token: String, maxLength: Int, verifiedHeaders: VerifiedHeaderCache) throws(JOSEError) -> CompactJWS {
        var text = token
        let result = text.withUTF8 { bytes in
            Result { () throws(JOSEError) in
                try parse(bytes: bytes, maxLength: maxLength, token: token, verifiedHeaders: verifiedHeaders)
            }
        }
        return try result.get()
    }

    /// Calls `body` with the token's header segment bytes, without copying them.
    func withHeaderSegment<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var text = token
        return text.withUTF8 { bytes in body(UnsafeBufferPointer(rebasing: bytes[0..<headerSegmentCount])) }
    }

    /// Checks the signature over the token's own signing input bytes with `key`, copying neither.
    func isSignatureValid(with key: JSONWebKey) -> Bool {
        var text = token
        return text.withUTF8 { bytes in
            signatureBytes.withBytes { signature in
                key.isValidSignature(signature, for: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[0..<signingInputCount]))
            }
        }
    }

    private static func parse(
        bytes: UnsafeBufferPointer<UInt8>, maxLength: Int, token: String, verifiedHeaders: VerifiedHeaderCache?
    ) throws(JOSEError) -> CompactJWS {
        guard bytes.count <= maxLength else {
            throw JOSEError(code: .tokenTooLarge, reason: "token is \(bytes.count) bytes, more than the limit of \(maxLength)")
        }
        // memchr finds the dots, because a byte-by-byte loop over the token showed up in profiles.
        guard let base = bytes.baseAddress, let first = findDot(base, from: 0, count: bytes.count) else {
            throw JOSEError(code: .malformedToken, reason: "token has 1 segment; a compact JWS has exactly 3")
        }
        guard let second = findDot(base, from: first + 1, count: bytes.count) else {
            throw JOSEError(code: .malformedToken, reason: "token has 2 segments; a compact JWS has exactly 3")
        }
        if findDot(base, from: second + 1, count: bytes.count) != nil {
            let dotCount = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) }
            throw JOSEError(code: .malformedToken, reason: "token has \(dotCount + 1) segments; a compact JWS has exactly 3")
        }
        let dots = (first: first, second: second)
        let headerSegment = UnsafeBufferPointer(rebasing: bytes[0..<dots.first])
        let payloadSegment = UnsafeBufferPointer(rebasing: bytes[(dots.first + 1)..<dots.second])
        let signatureSegment = UnsafeBufferPointer(rebasing: bytes[(dots.second + 1)...])
        guard !headerSegment.isEmpty else {
            throw JOSEError(code: .malformedToken, reason: "token header segment is empty")
        }
        guard !signatureSegment.isEmpty else {
            throw JOSEError(code: .malformedToken, reason: "token signature segment is empty")
        }
        // A segment equal to a verified one decodes to the same header, so only a new segment is decoded.
        let verifiedHeader = verifiedHeaders?.entry(for: headerSegment)
        var headerBytes: [UInt8] = []
        if verifiedHeader == nil {
            headerBytes = try decodeSegment(headerSegment, name: "header", hint: "; the value is not a JWT in compact form (header.payload.signature)")
        }
        let payload = try decodeSegment(payloadSegment, name: "payload")
        let signature: DecodedSignature
        do {
            signature = try DecodedSignature.decode(signatureSegment)
        } catch {
            throw JOSEError(code: .invalidBase64URL, reason: "token signature segment: \(error.reason)")
        }
        let header: JSONObjectIndex
        if let verifiedHeader {
            header = verifiedHeader.header.index
        } else {
            header = try parseHeader(headerBytes)
        }
        return CompactJWS(
            headerIndex: header, payloadBytes: payload, token: token, signingInputCount: dots.second,
            headerSegmentCount: dots.first, verifiedHeader: verifiedHeader, signatureBytes: signature)
    }

    private static func parseHeader(_ bytes: [UInt8]) throws(JOSEError) -> JSONObjectIndex {
        let header: JSONObjectIndex?
        do {
            header = try JSONObjectIndex.parse(bytes: bytes, limits: headerLimits)
        } catch {
            let code: JOSEError.Code = error.code == .duplicateMember ? .duplicateMember : .invalidJSON
            throw JOSEError(code: code, reason: "token header is not strict JSON: \(error)")
        }
        guard let header else {
            throw JOSEError(code: .invalidJSON, reason: "token header is not a JSON object")
        }
        return header
    }

    /// Returns the position of the first `.` at or after `start`, or nil.
    private static func findDot(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
        guard start < count, let found = memchr(base + start, Int32(UInt8(ascii: ".")), count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// - Parameter hint: text appended to the reason of a decoding error.
    private static func decodeSegment(_ segment: UnsafeBufferPointer<UInt8>, name: String, hint: String = "") throws(JOSEError) -> [UInt8] {
        do {
            return try Base64URL.decodeToArray(bytes: segment)
        } catch {
            throw JOSEError(code: .invalidBase64URL, reason: "token \(name) segment: \(error.reason)\(hint)")
        }
    }
}

/// A decoded JWS signature in one allocation of a non-generic class.
///
/// A `[UInt8]` made in this module looks up the generic metadata of its
/// storage class on each creation, which showed in profiles of token
/// validation. This class's metadata is fetched once.
final class DecodedSignature: ManagedBuffer<Int, UInt8> {
    /// Decodes base64url text with the rules of ``Base64URL/decode(_:)``.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) throws(JOSEError) -> DecodedSignature {
        let count = try Base64URL.decodedCount(of: text)
        let buffer = unsafeDowncast(create(minimumCapacity: count) { _ in count }, to: DecodedSignature.self)
        try buffer.withUnsafeMutablePointerToElements { elements throws(JOSEError) in
            try Base64URL.decode(bytes: text, into: UnsafeMutableBufferPointer(start: elements, count: count))
        }
        return buffer
    }

    /// Calls `body` with the decoded bytes.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { count, elements in try body(UnsafeRawBufferPointer(start: elements, count: count.pointee)) }
    }
}
