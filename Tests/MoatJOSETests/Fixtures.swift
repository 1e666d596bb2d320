import Foundation
import MoatCrypto
import MoatJSON

@testable import MoatJOSE

/// Keys, policy and token builders shared by the JOSE tests. Keys are
/// generated once per test process; time is fixed.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let issuer = "https://login.example.test/0f3c/v2.0"
    static let audience = "api://moat"

    static let ecKey = try! PrivateKey.generateEC(curve: .p256)
    static let rsaKey = try! PrivateKey.generateRSA()
    static let attackerKey = try! PrivateKey.generateEC(curve: .p256)

    static let ecSigner = try! JWTSigner(privateKey: ecKey, algorithm: .es256, keyID: "es-1")
    static let rsaSigner = try! JWTSigner(privateKey: rsaKey, algorithm: .rs256, keyID: "rs-1")
    static let keySet = try! JSONWebKeySet(keys: [ecSigner.publicJWK, rsaSigner.publicJWK])

    static var policy: JWTValidationPolicy {
        JWTValidationPolicy(issuer: issuer, audiences: [audience], allowedAlgorithms: [.es256, .rs256])
    }

    static var verifier: JWTVerifier { JWTVerifier(keySet: keySet, policy: policy) }

    static var validClaims: JSONObject {
        let time = Int64(now.timeIntervalSince1970)
        return ["iss": .string(issuer), "sub": "user-1", "aud": .string(audience), "iat": .integer(time - 10), "exp": .integer(time + 600)]
    }

    /// Valid claims as raw JSON text with `replacement` spliced in before the
    /// closing brace, for payloads a `JSONObject` cannot express (duplicates).
    static func claimsText(appending extra: String = "", without removed: Set<String> = []) -> String {
        var claims = validClaims
        for name in removed { claims[name] = nil }
        var text = String(decoding: JSONValue.object(claims).serialized(), as: UTF8.self)
        if !extra.isEmpty {
            text.removeLast()
            text += (claims.isEmpty ? "" : ",") + extra + "}"
        }
        return text
    }

    /// Builds a compact JWS from raw header and payload JSON. `signer` signs
    /// the received signing input with `algorithm`; nil leaves `signature` as given.
    static func token(
        header: String, payload: String, signer: PrivateKey? = ecKey,
        algorithm: SignatureAlgorithm = .ecdsaP256SHA256, signature: Data = Data([1])
    ) -> String {
        let signingInput = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(payload.utf8))
        let signatureBytes = signer.map { try! $0.sign(Data(signingInput.utf8), algorithm: algorithm) } ?? signature
        return signingInput + "." + Base64URL.encode(signatureBytes)
    }

    static let esHeader = #"{"alg":"ES256","kid":"es-1","typ":"JWT"}"#
}
