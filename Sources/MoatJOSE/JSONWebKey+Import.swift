import Foundation
import MoatCrypto
import MoatJSON

extension JSONWebKey {
    /// Members that only a private or symmetric JWK carries (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
    static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Imports a public JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).
    ///
    /// Checks, in order:
    /// 1. `kty` is `RSA`, `EC` or `OKP`; `oct` and others are rejected.
    /// 2. No private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`).
    /// 3. `use`, when present, is `sig`; `key_ops`, when present, contains
    ///    `verify` and no duplicates (RFC 7517 §4.3).
    /// 4. `kid`, when present, is a string.
    /// 5. Key material: RSA `n`/`e` as minimal base64url integers; EC `crv`
    ///    `P-256` or `P-384` with full-length `x`/`y` on the curve; OKP `crv`
    ///    `Ed25519` with a 32-byte `x`. The crypto layer's key policy applies
    ///    (RSA of at least 2048 bits, odd e >= 65537, no ROCA fingerprint).
    /// 6. `alg` is one of ``JWSAlgorithm`` and fits `kty` and `crv`.
    ///
    /// When `alg` is absent it is inferred only where one algorithm is the
    /// only reasonable reading: EC P-256 → ES256, EC P-384 → ES384, OKP
    /// Ed25519 → EdDSA, and RSA → RS256. RSA could also mean PS256; RS256 is
    /// chosen because identity providers such as Entra ID publish RSA keys
    /// without `alg` and sign with RS256. A PS256 key must declare `alg`.
    /// Other members (`x5c`, `x5t`, `issuer`, …) are ignored, as RFC 7517 §4 allows.
    public init(json: JSONObject) throws(JOSEError) {
        guard case .string(let keyType)? = json["kty"] else {
            throw JOSEError(code: .invalidKey, reason: "JWK member \"kty\" is missing or not a string")
        }
        guard ["RSA", "EC", "OKP"].contains(keyType) else {
            let detail = keyType == "oct" ? "symmetric keys are not accepted for verification" : "supported types are RSA, EC and OKP"
            throw JOSEError(code: .unsupportedKeyType, reason: "JWK key type \"\(keyType)\" is rejected: \(detail)")
        }
        if let member = json.keys.first(where: { Self.privateMembers.contains($0) }) {
            throw JOSEError(code: .invalidKey, reason: "JWK contains the private member \"\(member)\"; publish only public keys")
        }
        try Self.checkUsage(json)
        var keyID: String? = nil
        if let kid = json["kid"] {
            guard case .string(let value) = kid else {
                throw JOSEError(code: .invalidKey, reason: "JWK member \"kid\" is not a string")
            }
            keyID = value
        }
        let (publicKey, inferred) = try Self.importMaterial(json, keyType: keyType)
        let algorithm: JWSAlgorithm
        switch json["alg"] {
        case nil:
            algorithm = inferred
        case .string(let name)?:
            guard let named = JWSAlgorithm(rawValue: name) else {
                throw JOSEError(code: .unsupportedAlgorithm, reason: "JWK algorithm \"\(name)\" is not supported; use one of RS256, PS256, ES256, ES384, EdDSA")
            }
            algorithm = named
        default:
            throw JOSEError(code: .invalidKey, reason: "JWK member \"alg\" is not a string")
        }
        try self.init(publicKey: publicKey, keyID: keyID, algorithm: algorithm)
    }

    private static func checkUsage(_ json: JSONObject) throws(JOSEError) {
        if let use = json["use"] {
            guard use == "sig" else {
                throw JOSEError(code: .invalidKey, reason: "JWK \"use\" is \(String(decoding: use.serialized(), as: UTF8.self)); only \"sig\" keys verify signatures")
            }
        }
        if let operations = json["key_ops"] {
            guard let list = operations.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw JOSEError(code: .invalidKey, reason: "JWK \"key_ops\" is not an array of strings")
            }
            let names = list.compactMap(\.stringValue)
            guard Set(names).count == names.count else {
                throw JOSEError(code: .invalidKey, reason: "JWK \"key_ops\" lists an operation twice")
            }
            guard names.contains("verify") else {
                throw JOSEError(code: .invalidKey, reason: "JWK \"key_ops\" \(names) does not include \"verify\"")
            }
        }
    }

    /// Builds the public key and the algorithm to assume when `alg` is absent.
    private static func importMaterial(_ json: JSONObject, keyType: String) throws(JOSEError) -> (PublicKey, JWSAlgorithm) {
        do {
            switch keyType {
            case "RSA":
                let modulus = try unsignedInteger(json, "n")
                let exponent = try unsignedInteger(json, "e")
                return (try PublicKey(rsaModulus: modulus, exponent: exponent), .rs256)
            case "EC":
                let curve: ECCurve
                let algorithm: JWSAlgorithm
                switch json["crv"]?.stringValue {
                case "P-256": (curve, algorithm) = (.p256, .es256)
                case "P-384": (curve, algorithm) = (.p384, .es384)
                default: throw JOSEError(code: .unsupportedKeyType, reason: "EC JWK curve is missing or not P-256 or P-384")
                }
                let x = try bytes(json, "x")
                let y = try bytes(json, "y")
                return (try PublicKey(ecCurve: curve, x: x, y: y), algorithm)
            default:
                guard json["crv"] == "Ed25519" else {
                    throw JOSEError(code: .unsupportedKeyType, reason: "OKP JWK curve is missing or not Ed25519")
                }
                return (try PublicKey(ed25519: try bytes(json, "x")), .edDSA)
            }
        } catch let error as JOSEError {
            throw error
        } catch {
            throw JOSEError(code: .invalidKey, reason: "JWK key material is rejected: \(error)")
        }
    }

    private static func bytes(_ json: JSONObject, _ member: String) throws(JOSEError) -> Data {
        guard case .string(let text)? = json[member] else {
            throw JOSEError(code: .invalidKey, reason: "JWK member \"\(member)\" is missing or not a string")
        }
        return try Base64URL.decode(text)
    }

    /// RFC 7518 §2 Base64urlUInt: no leading zero octets, at least one octet.
    private static func unsignedInteger(_ json: JSONObject, _ member: String) throws(JOSEError) -> Data {
        let value = try bytes(json, member)
        guard let first = value.first, first != 0 else {
            throw JOSEError(code: .invalidKey, reason: "JWK member \"\(member)\" is empty or has leading zero octets")
        }
        return value
    }
}
