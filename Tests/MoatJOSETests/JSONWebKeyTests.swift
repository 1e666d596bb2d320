import Foundation
import MoatCrypto
import MoatJSON
import Testing

@testable import MoatJOSE

private typealias F = Fixtures

private func jwk(_ object: JSONObject, removing: [String] = [], setting: JSONObject = [:]) -> JSONObject {
    var result = object
    for name in removing { result[name] = nil }
    for (name, value) in setting { result[name] = value }
    return result
}

private func importCode(_ object: JSONObject) -> JOSEError.Code? {
    do {
        _ = try JSONWebKey(json: object)
        return nil
    } catch {
        return error.code
    }
}

@Suite("JSON Web Key import and export")
struct JSONWebKeyTests {
    static let ecJWK = F.ecSigner.publicJWK.jsonObject()
    static let rsaJWK = F.rsaSigner.publicJWK.jsonObject()

    @Test("exported JWK imports to the same key", arguments: JWSAlgorithm.allCases)
    func roundTrip(algorithm: JWSAlgorithm) throws {
        let signer = try JWTVerifierTests.signer(for: algorithm)
        let object = signer.publicJWK.jsonObject()
        let imported = try JSONWebKey(json: object)
        #expect(imported.publicKey == signer.publicJWK.publicKey)
        #expect(imported.algorithm == algorithm)
        #expect(imported.keyID == signer.keyID)
        #expect(object["use"] == "sig")
    }

    @Test("exported JWK has no private member")
    func noPrivateMembers() {
        for object in [Self.ecJWK, Self.rsaJWK] {
            #expect(object.keys.allSatisfy { !JSONWebKey.privateMembers.contains($0) })
        }
    }

    @Test("absent alg is inferred from the key type", arguments: [
        (JSONWebKeyTests.ecJWK, JWSAlgorithm.es256), (JSONWebKeyTests.rsaJWK, .rs256),
    ])
    func inferredAlgorithm(object: JSONObject, expected: JWSAlgorithm) throws {
        #expect(try JSONWebKey(json: jwk(object, removing: ["alg"])).algorithm == expected)
    }

    @Test("invalid JWK is rejected with its code", arguments: [
        (jwk(ecJWK, setting: ["d": "AAAA"]), JOSEError.Code.invalidKey),
        (jwk(rsaJWK, setting: ["p": "AAAA"]), .invalidKey),
        (jwk(ecJWK, setting: ["use": "enc"]), .invalidKey),
        (jwk(ecJWK, setting: ["use": 1]), .invalidKey),
        (jwk(ecJWK, setting: ["key_ops": ["encrypt"]]), .invalidKey),
        (jwk(ecJWK, setting: ["key_ops": ["verify", "verify"]]), .invalidKey),
        (jwk(ecJWK, setting: ["key_ops": "verify"]), .invalidKey),
        (jwk(ecJWK, setting: ["kid": 7]), .invalidKey),
        (jwk(ecJWK, setting: ["alg": "ES384"]), .keyAlgorithmMismatch),
        (jwk(ecJWK, setting: ["alg": "RS256"]), .keyAlgorithmMismatch),
        (jwk(rsaJWK, setting: ["alg": "ES256"]), .keyAlgorithmMismatch),
        (jwk(ecJWK, setting: ["alg": "HS256"]), .unsupportedAlgorithm),
        (jwk(ecJWK, setting: ["alg": "es256"]), .unsupportedAlgorithm),
        (jwk(ecJWK, setting: ["crv": "P-384"]), .invalidKey),
        (jwk(ecJWK, setting: ["crv": "P-521"]), .unsupportedKeyType),
        (jwk(ecJWK, setting: ["kty": "RSA"]), .invalidKey),
        (jwk(ecJWK, setting: ["kty": "oct", "k": "AAAA"]), .unsupportedKeyType),
        (jwk(ecJWK, setting: ["kty": "oct"]), .unsupportedKeyType),
        (jwk(ecJWK, removing: ["kty"]), .invalidKey),
        (jwk(ecJWK, removing: ["y"]), .invalidKey),
        (jwk(ecJWK, setting: ["x": "AA=="]), .invalidBase64URL),
        (jwk(rsaJWK, setting: ["e": "AQ"]), .invalidKey),
        (jwk(rsaJWK, setting: ["e": "Aw"]), .invalidKey),
        (jwk(rsaJWK, setting: ["e": "AAEAAQ"]), .invalidKey),
        (jwk(rsaJWK, setting: ["n": .string(Base64URL.encode(Data(repeating: 0xC1, count: 128)))]), .invalidKey),
        (jwk(["kty": "OKP", "crv": "X25519", "x": .string(Base64URL.encode(Data(count: 32)))]), .unsupportedKeyType),
    ])
    func rejected(object: JSONObject, expected: JOSEError.Code) {
        #expect(importCode(object) == expected)
    }

    @Test("off-curve EC point is rejected")
    func offCurve() throws {
        var y = try Base64URL.decode(try #require(Self.ecJWK["y"]?.stringValue))
        y[y.count - 1] ^= 0x01
        #expect(importCode(jwk(Self.ecJWK, setting: ["y": .string(Base64URL.encode(y))])) == .invalidKey)
    }

    @Test("JWK with key_ops verify and extra members is accepted")
    func keyOpsVerify() throws {
        let object = jwk(Self.rsaJWK, setting: ["key_ops": ["verify"], "x5t": "abc", "issuer": "https://example.test"])
        #expect(importCode(object) == nil)
    }
}

@Suite("JSON Web Key Set")
struct JSONWebKeySetTests {
    private func data(_ keys: [JSONObject]) -> Data {
        JSONValue.object(["keys": .array(keys.map { .object($0) })]).serialized()
    }

    private func setCode(_ data: Data) -> JOSEError.Code? {
        do {
            _ = try JSONWebKeySet(data: data)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("serialized set parses back to the same keys")
    func roundTrip() throws {
        let parsed = try JSONWebKeySet(data: F.keySet.serialized())
        #expect(parsed.keys.map(\.keyID) == ["es-1", "rs-1"])
        #expect(try parsed.key(forKeyID: "rs-1").publicKey == F.rsaKey.publicKey)
        #expect(parsed.skippedKeys.isEmpty)
    }

    @Test("duplicate kid rejects the set")
    func duplicateKeyID() throws {
        #expect(setCode(data([JSONWebKeyTests.ecJWK, jwk(JSONWebKeyTests.rsaJWK, setting: ["kid": "es-1"])])) == .duplicateKeyID)
        #expect(throws: JOSEError(code: .duplicateKeyID, reason: "")) {
            try JSONWebKeySet(keys: [F.ecSigner.publicJWK, F.ecSigner.publicJWK])
        }
    }

    @Test("duplicate kid among skipped keys still rejects the set")
    func duplicateKeyIDSkipped() {
        let encryptionKey = jwk(JSONWebKeyTests.rsaJWK, setting: ["kid": "es-1", "use": "enc"])
        #expect(setCode(data([JSONWebKeyTests.ecJWK, encryptionKey])) == .duplicateKeyID)
    }

    @Test("symmetric key rejects the set")
    func symmetricKey() {
        let oct: JSONObject = ["kty": "oct", "kid": "h", "k": "AAAA"]
        #expect(setCode(data([JSONWebKeyTests.ecJWK, oct])) == .unsupportedKeyType)
    }

    @Test("private member rejects the set")
    func privateMember() {
        #expect(setCode(data([JSONWebKeyTests.ecJWK, jwk(JSONWebKeyTests.rsaJWK, setting: ["d": "AAAA"])])) == .invalidKey)
    }

    @Test("malformed document is rejected", arguments: [
        (#"{"keys":{}}"#, JOSEError.Code.invalidJSON),
        (#"{"keys":[1]}"#, .invalidJSON),
        (#"[]"#, .invalidJSON),
        (#"{"keys":[],"keys":[]}"#, .duplicateMember),
        (#"{"keys":[{"kty":"EC","kty":"RSA"}]}"#, .duplicateMember),
    ])
    func malformed(text: String, expected: JOSEError.Code) {
        #expect(setCode(Data(text.utf8)) == expected)
    }

    @Test("unusable key is skipped and reported")
    func skippedKey() throws {
        let encryptionKey = jwk(JSONWebKeyTests.rsaJWK, setting: ["kid": "enc-1", "use": "enc"])
        let set = try JSONWebKeySet(data: data([JSONWebKeyTests.ecJWK, encryptionKey]))
        #expect(set.keys.map(\.keyID) == ["es-1"])
        #expect(set.skippedKeys.map(\.code) == [.invalidKey])
        #expect(throws: JOSEError(code: .unknownKey, reason: "")) { try set.key(forKeyID: "enc-1") }
    }

    @Test("lookup never falls back to a default key")
    func lookup() throws {
        let single = try JSONWebKeySet(keys: [F.ecSigner.publicJWK])
        #expect(try single.key(forKeyID: nil).keyID == "es-1")
        #expect(throws: JOSEError(code: .unknownKey, reason: "")) { try single.key(forKeyID: "other") }
        #expect(throws: JOSEError(code: .ambiguousKey, reason: "")) { try F.keySet.key(forKeyID: nil) }
        #expect(throws: JOSEError(code: .unknownKey, reason: "")) { try JSONWebKeySet(keys: []).key(forKeyID: nil) }
        #expect(throws: JOSEError(code: .unknownKey, reason: "")) { try F.keySet.key(forKeyID: "ES-1") }
    }
}

@Suite("Strict base64url")
struct Base64URLTests {
    @Test("encoding round-trips for every length up to 64")
    func roundTrip() throws {
        for length in 0...64 {
            let data = SecureRandom.bytes(count: length)
            let text = Base64URL.encode(data)
            #expect(!text.contains("="))
            #expect(!text.contains("+"))
            #expect(!text.contains("/"))
            #expect(try Base64URL.decode(text) == data)
        }
    }

    @Test("known encodings decode", arguments: [("", ""), ("Zg", "f"), ("Zm8", "fo"), ("Zm9v", "foo"), ("_-8", "\u{FF}\u{EF}")])
    func known(text: String, expected: String) throws {
        let bytes = expected.unicodeScalars.map { UInt8($0.value) }
        #expect(try Base64URL.decode(text) == Data(bytes))
    }

    @Test("non-canonical or foreign text is rejected", arguments: [
        "Zg==", "Zm8=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9", "Zm9v.", "Zm9v%3D", "Zm9vé",
    ])
    func rejected(text: String) {
        #expect(throws: JOSEError(code: .invalidBase64URL, reason: "")) { try Base64URL.decode(text) }
    }
}
