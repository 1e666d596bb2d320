import Foundation
import MoatJSON

/// A set of public verification keys (RFC 7517 §5), looked up by `kid` only.
public struct JSONWebKeySet: Sendable {
    public let keys: [JSONWebKey]

    /// Entries of the imported document that were left out, each with the
    /// reason; empty for sets built from keys. Callers should log these.
    public let skippedKeys: [JOSEError]

    /// Header segments of tokens that verified with this set, shared by its
    /// copies. A new set, as after each key set fetch, starts empty.
    let verifiedHeaders = VerifiedHeaderCache()

    /// Builds a set from keys.
    ///
    /// - Throws: ``JOSEError/Code/duplicateKeyID`` when two keys share a `kid`.
    public init(keys: [JSONWebKey]) throws(JOSEError) {
        try Self.checkUniqueKeyIDs(keys.compactMap(\.keyID))
        self.keys = keys
        self.skippedKeys = []
    }

    /// Parses a JWKS document (`{"keys": [...]}`) strictly.
    ///
    /// The whole set is rejected when:
    /// - it is not strict JSON or has no `keys` array;
    /// - an entry is not a JSON object;
    /// - an entry is a symmetric (`oct`) key or has a private member;
    /// - two entries share a `kid`, even entries that are skipped, because a
    ///   repeated `kid` makes the lookup ambiguous.
    ///
    /// Any other entry that ``JSONWebKey/init(json:)`` rejects (an
    /// unsupported `kty`, `crv` or `alg`, `use` other than `sig`, `key_ops`
    /// without `verify`, or weak or invalid key material) is skipped and
    /// listed in ``skippedKeys``, so one unusable key from an identity
    /// provider does not disable the others. A token naming a skipped key
    /// fails with ``JOSEError/Code/unknownKey``.
    public init(data: Data) throws(JOSEError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(data, limits: JSONLimits(maxDepth: 8, maxBytes: 512 * 1024))
        } catch {
            throw JOSEError(code: error.code == .duplicateMember ? .duplicateMember : .invalidJSON, reason: "JWKS is not strict JSON: \(error)")
        }
        guard case .array(let entries)? = document["keys"] else {
            throw JOSEError(code: .invalidJSON, reason: "JWKS has no \"keys\" array")
        }
        var keys: [JSONWebKey] = []
        var skipped: [JOSEError] = []
        var keyIDs: [String] = []
        for (index, entry) in entries.enumerated() {
            guard case .object(let object) = entry else {
                throw JOSEError(code: .invalidJSON, reason: "JWKS entry \(index) is not a JSON object")
            }
            if object["kty"] == "oct" {
                throw JOSEError(code: .unsupportedKeyType, reason: "JWKS entry \(index) is a symmetric key; a verification key set must contain only public keys")
            }
            if let member = object.keys.first(where: { JSONWebKey.privateMembers.contains($0) }) {
                throw JOSEError(code: .invalidKey, reason: "JWKS entry \(index) contains the private member \"\(member)\"")
            }
            if case .string(let kid)? = object["kid"] { keyIDs.append(kid) }
            do {
                keys.append(try JSONWebKey(json: object))
            } catch {
                skipped.append(JOSEError(code: error.code, reason: "JWKS entry \(index) skipped: \(error.reason)"))
            }
        }
        try Self.checkUniqueKeyIDs(keyIDs)
        self.keys = keys
        self.skippedKeys = skipped
    }

    /// Writes `{"keys": [...]}` with each key's public members.
    public func serialized() -> Data {
        JSONValue.object(["keys": .array(keys.map { .object($0.jsonObject()) })]).serialized()
    }

    /// Returns the key for a token's `kid`. There is never a default key.
    ///
    /// - With a `kid`: the key with exactly that `kid`, or ``JOSEError/Code/unknownKey``.
    /// - Without a `kid`: the only key of a one-key set; ``JOSEError/Code/ambiguousKey``
    ///   when the set has several keys, ``JOSEError/Code/unknownKey`` when it is empty.
    public func key(forKeyID kid: String?) throws(JOSEError) -> JSONWebKey {
        guard let kid else {
            guard keys.count <= 1 else {
                throw JOSEError(code: .ambiguousKey, reason: "token has no \"kid\" and the key set has \(keys.count) keys")
            }
            guard let only = keys.first else {
                throw JOSEError(code: .unknownKey, reason: "key set is empty")
            }
            return only
        }
        guard let key = keys.first(where: { $0.keyID == kid }) else {
            throw JOSEError(code: .unknownKey, reason: "no key with kid \"\(kid.prefix(64))\" in the key set")
        }
        return key
    }

    private static func checkUniqueKeyIDs(_ keyIDs: [String]) throws(JOSEError) {
        var seen: Set<String> = []
        for kid in keyIDs where !seen.insert(kid).inserted {
            throw JOSEError(code: .duplicateKeyID, reason: "kid \"\(kid.prefix(64))\" appears more than once in the key set")
        }
    }
}
