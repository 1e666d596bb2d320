import Foundation
import MoatCrypto
import MoatJSON
import Testing

@testable import MoatJOSE

private typealias F = Fixtures

@Suite("Verified header reuse")
struct VerifiedHeaderCacheTests {
    /// Returns a key set of its own for each test, because the cache lives in the set.
    static func freshKeySet() throws -> JSONWebKeySet {
        try JSONWebKeySet(keys: [F.ecSigner.publicJWK, F.rsaSigner.publicJWK])
    }

    static func payload(_ subject: String) -> String {
        var claims = F.validClaims
        claims["sub"] = .string(subject)
        return String(decoding: JSONValue.object(claims).serialized(), as: UTF8.self)
    }

    @Test("second token reuses the verified header")
    func reuse() throws {
        let keySet = try Self.freshKeySet()
        let verifier = JWSVerifier(keySet: keySet, allowedAlgorithms: [.es256])
        let first = try verifier.verify(F.token(header: F.esHeader, payload: Self.payload("user-1")))
        #expect(first.verifiedHeader == nil)
        #expect(keySet.verifiedHeaders.count == 1)

        let second = try verifier.verify(F.token(header: F.esHeader, payload: Self.payload("user-2")))
        #expect(second.verifiedHeader != nil)
        #expect(second.header["kid"] == "es-1")
        #expect(String(decoding: second.payload, as: UTF8.self) == Self.payload("user-2"))
        #expect(keySet.verifiedHeaders.count == 1)
    }

    @Test("forged token adds no header")
    func forgedNotAdded() throws {
        let keySet = try Self.freshKeySet()
        let verifier = JWSVerifier(keySet: keySet, allowedAlgorithms: [.es256])
        let forged = F.token(header: F.esHeader, payload: Self.payload("user-1"), signer: F.attackerKey)
        #expect(throws: JOSEError(code: .invalidSignature, reason: "")) { try verifier.verify(forged) }
        #expect(keySet.verifiedHeaders.count == 0)
    }

    @Test("reused header still needs a valid signature")
    func signatureStillChecked() throws {
        let keySet = try Self.freshKeySet()
        let verifier = JWSVerifier(keySet: keySet, allowedAlgorithms: [.es256])
        _ = try verifier.verify(F.token(header: F.esHeader, payload: Self.payload("user-1")))
        let forged = F.token(header: F.esHeader, payload: Self.payload("admin"), signer: F.attackerKey)
        #expect(throws: JOSEError(code: .invalidSignature, reason: "")) { try verifier.verify(forged) }
    }

    @Test("reused header still meets the verifier's allow-list")
    func allowListStillChecked() throws {
        let keySet = try Self.freshKeySet()
        let token = F.token(header: F.esHeader, payload: Self.payload("user-1"))
        _ = try JWSVerifier(keySet: keySet, allowedAlgorithms: [.es256]).verify(token)
        #expect(keySet.verifiedHeaders.count == 1)
        #expect(throws: JOSEError(code: .algorithmNotAllowed, reason: "")) {
            try JWSVerifier(keySet: keySet, allowedAlgorithms: [.rs256]).verify(token)
        }
    }

    @Test("new key set starts without headers")
    func newKeySetEmpty() throws {
        let token = F.token(header: F.esHeader, payload: Self.payload("user-1"))
        let before = try Self.freshKeySet()
        _ = try JWSVerifier(keySet: before, allowedAlgorithms: [.es256]).verify(token)
        // The same kid now names the attacker's key, as after a key set fetch.
        let attackerJWK = try JSONWebKey(publicKey: F.attackerKey.publicKey, keyID: "es-1", algorithm: .es256)
        let after = try JSONWebKeySet(keys: [attackerJWK])
        #expect(after.verifiedHeaders.count == 0)
        #expect(throws: JOSEError(code: .invalidSignature, reason: "")) {
            try JWSVerifier(keySet: after, allowedAlgorithms: [.es256]).verify(token)
        }
    }

    @Test("full cache replaces its oldest header")
    func capacity() throws {
        let keySet = try Self.freshKeySet()
        let verifier = JWSVerifier(keySet: keySet, allowedAlgorithms: [.es256])
        let headers = (0...VerifiedHeaderCache.capacity).map { #"{"alg":"ES256","kid":"es-1","typ":"JWT","n":\#($0)}"# }
        for header in headers {
            _ = try verifier.verify(F.token(header: header, payload: Self.payload("user-1")))
        }
        #expect(keySet.verifiedHeaders.count == VerifiedHeaderCache.capacity)
        let oldest = try verifier.verify(F.token(header: headers[0], payload: Self.payload("user-1")))
        #expect(oldest.verifiedHeader == nil)
        let newest = try verifier.verify(F.token(header: headers[VerifiedHeaderCache.capacity], payload: Self.payload("user-1")))
        #expect(newest.verifiedHeader != nil)
    }
}
