import Foundation
import MoatCrypto
import MoatJSON

/// Verifies compact JWS signatures against a fixed key set; steps 1 to 4 of
/// ``JWTVerifier``, without interpreting the payload.
///
/// Use it for signed payloads that are not JWT claim sets; use ``JWTVerifier`` for tokens.
public struct JWSVerifier: Sendable {
    public let keySet: JSONWebKeySet
    public let allowedAlgorithms: Set<JWSAlgorithm>
    /// Maximum token length in bytes. Default 16 KiB.
    public let maxTokenLength: Int

    /// DER certificate an `x5c` header may repeat as its first entry; nil rejects every `x5c`.
    public let pinnedCertificate: Data?

    public init(keySet: JSONWebKeySet, allowedAlgorithms: Set<JWSAlgorithm>, maxTokenLength: Int = 16 * 1024, pinnedCertificate: Data? = nil) {
        self.keySet = keySet
        self.allowedAlgorithms = allowedAlgorithms
        self.maxTokenLength = maxTokenLength
        self.pinnedCertificate = pinnedCertificate
    }

    /// Checks structure, protected header, key and signature, in that order.
    ///
    /// 1. Structure: ``CompactJWS/parse(_:maxLength:)``.
    /// 2. Protected header, checked in this order:
    ///    - `crit` or `b64` present → `unsupported_critical_header`, because
    ///      Moat understands no extension (RFC 7515 §4.1.11);
    ///    - `jku`, `x5u`, `jwk` or `x5c` present → `forbidden_header`, except an
    ///      `x5c` whose first certificate is ``pinnedCertificate``;
    ///    - `typ`, `cty`, `x5t` or `x5t#S256` not a string → `invalid_header`;
    ///    - `alg` not implemented (`none`, `HS256`, …), compared
    ///      case-sensitively → `unsupported_algorithm`;
    ///    - `alg` not in ``allowedAlgorithms`` → `algorithm_not_allowed`.
    /// 3. Key: chosen only by `kid` from ``keySet`` (``JSONWebKeySet/key(forKeyID:)``),
    ///    and its algorithm must equal `alg` → else `key_algorithm_mismatch`.
    /// 4. Signature over the exact received signing input → else `invalid_signature`.
    ///
    /// - Returns: the parsed token, whose payload is now authenticated.
    ///
    /// A header segment that already verified with this key set reuses its
    /// parsed header and key (``JSONWebKeySet``'s verified headers). Steps 2
    /// and 3 still check it against this verifier's rules.
    public func verify(_ token: String) throws(JOSEError) -> CompactJWS {
        let jws = try CompactJWS.parse(token, maxLength: maxTokenLength, verifiedHeaders: keySet.verifiedHeaders)
        let header = jws.verifiedHeader?.header ?? HeaderPositions(jws.headerIndex)
        let algorithm = try checkHeader(header)
        let key: JSONWebKey
        if let verified = jws.verifiedHeader {
            key = verified.key
        } else {
            key = try selectKey(header)
        }
        try checkKeyAlgorithm(key, algorithm: algorithm)
        guard jws.isSignatureValid(with: key) else {
            throw JOSEError(
                code: .invalidSignature,
                reason: "\(algorithm.rawValue) signature does not verify with key \"\(key.keyID ?? "(no kid)")\"; the token was changed after signing "
                    + "or signed with another key, so request a new token from the issuer")
        }
        if jws.verifiedHeader == nil {
            jws.withHeaderSegment { keySet.verifiedHeaders.add(segment: $0, header: header, key: key) }
        }
        return jws
    }

    /// Step 2: returns the header's algorithm once the header is acceptable.
    private func checkHeader(_ header: HeaderPositions) throws(JOSEError) -> JWSAlgorithm {
        let index = header.index
        if header.contains(.critical) {
            throw JOSEError(code: .unsupportedCriticalHeader, reason: "header lists critical extensions in \"crit\"; none are supported")
        }
        if header.contains(.base64URLEncodePayload) {
            throw JOSEError(code: .unsupportedCriticalHeader, reason: "header parameter \"b64\" (RFC 7797 unencoded payload) is not supported")
        }
        if let position = header.position(.certificateChain) {
            // A chain that only repeats the registered certificate adds no key and no trust.
            guard let pinnedCertificate, Self.startsWith(index.value(at: position), pinnedCertificate) else {
                throw JOSEError(code: .forbiddenHeader, reason: "header parameter \"x5c\" is rejected; keys come only from the configured key set")
            }
        }
        if let parameter = HeaderParameter.keyLocations.first(where: { header.contains($0) }) {
            throw JOSEError(code: .forbiddenHeader, reason: "header parameter \"\(parameter.name)\" is rejected; keys come only from the configured key set")
        }
        if let parameter = HeaderParameter.strings.first(where: { header.position($0).map { index.kind(at: $0) != .string } ?? false }) {
            throw JOSEError(code: .invalidHeader, reason: "header parameter \"\(parameter.name)\" is not a string")
        }
        guard let position = header.position(.algorithm) else {
            throw JOSEError(code: .unsupportedAlgorithm, reason: "header has no \"alg\"")
        }
        guard index.kind(at: position) == .string else {
            throw JOSEError(code: .invalidHeader, reason: "header \"alg\" is not a string")
        }
        // Compared in place with each raw value, by the same String equality as
        // JWSAlgorithm(rawValue:), so an accepted token builds no String for alg.
        guard let algorithm = JWSAlgorithm.allCases.first(where: { index.stringEquals(at: position, $0.rawValue) }) else {
            let name = index.string(at: position) ?? ""
            throw JOSEError(code: .unsupportedAlgorithm, reason: "algorithm \"\(name.prefix(32))\" is not supported; supported: RS256, PS256, ES256, ES384, EdDSA")
        }
        guard allowedAlgorithms.contains(algorithm) else {
            throw JOSEError(code: .algorithmNotAllowed, reason: "algorithm \(algorithm.rawValue) is not in this verifier's allow-list")
        }
        return algorithm
    }

    /// Checks that an `x5c` value is an array whose first entry is the base64 DER of `certificate` (RFC 7515 §4.1.6).
    /// Line breaks inside the entry are dropped, because MSAL Python copies the
    /// PEM body with its line breaks. The bytes must still equal `certificate` exactly.
    private static func startsWith(_ chain: JSONValue, _ certificate: Data) -> Bool {
        guard let first = chain.arrayValue?.first?.stringValue else { return false }
        let joined = first.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
        return Data(base64Encoded: joined) == certificate
    }

    /// Step 3: the key named by `kid`.
    private func selectKey(_ header: HeaderPositions) throws(JOSEError) -> JSONWebKey {
        var keyID: String? = nil
        if let position = header.position(.keyID) {
            guard header.index.kind(at: position) == .string else {
                throw JOSEError(code: .invalidHeader, reason: "header \"kid\" is not a string")
            }
            keyID = header.index.string(at: position)
        }
        return try keySet.key(forKeyID: keyID)
    }

    /// Step 3: the key's own algorithm must be the header's.
    private func checkKeyAlgorithm(_ key: JSONWebKey, algorithm: JWSAlgorithm) throws(JOSEError) {
        guard key.algorithm == algorithm else {
            throw JOSEError(
                code: .keyAlgorithmMismatch,
                reason: "token algorithm \(algorithm.rawValue) differs from key \"\(key.keyID ?? "(no kid)")\" algorithm \(key.algorithm.rawValue)")
        }
    }
}

/// The JWS header parameters that ``JWSVerifier`` checks (RFC 7515 §4.1).
/// Their raw values index ``names``.
enum HeaderParameter: Int, CaseIterable {
    case algorithm, keyID, critical, base64URLEncodePayload, certificateChain
    case jwkSetURL, x509URL, jsonWebKey
    case type, contentType, x509SHA1Thumbprint, x509SHA256Thumbprint

    var name: JSONMemberName { Self.names[rawValue] }

    /// Member names of the cases, in case order.
    static let names: [JSONMemberName] = [
        "alg", "kid", "crit", "b64", "x5c",
        "jku", "x5u", "jwk",
        "typ", "cty", "x5t", "x5t#S256",
    ]
    static let table = JSONMemberNameTable(names)

    /// Parameters that point at keys outside the configured set, other than
    /// `x5c`: `jku` (§4.1.2), `x5u` (§4.1.5) and `jwk` (§4.1.3). Moat never
    /// follows them and rejects tokens that carry them.
    static let keyLocations: [HeaderParameter] = [.jwkSetURL, .x509URL, .jsonWebKey]
    /// Parameters that §4.1 defines as strings; any other JSON type rejects the token.
    static let strings: [HeaderParameter] = [.type, .contentType, .x509SHA1Thumbprint, .x509SHA256Thumbprint]
}

/// A protected header with the position of each ``HeaderParameter`` found in
/// one pass over its members, instead of one search per parameter.
struct HeaderPositions {
    let index: JSONObjectIndex
    /// Member position per ``HeaderParameter`` raw value, or -1 when absent.
    /// Its size must be at least the number of parameters; a larger table traps on the first write.
    private var positions = InlineArray<12, Int32>(repeating: -1)

    init(_ index: JSONObjectIndex) {
        self.index = index
        // Int32 halves the storage. A position beyond Int32.max would trap here.
        index.forEachMember(in: HeaderParameter.table) { entry, position in
            positions[entry] = Int32(position)
        }
    }

    func position(_ parameter: HeaderParameter) -> Int? {
        let position = positions[parameter.rawValue]
        return position < 0 ? nil : Int(position)
    }

    func contains(_ parameter: HeaderParameter) -> Bool { positions[parameter.rawValue] >= 0 }
}
