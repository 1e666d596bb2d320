import Foundation
import MoatCrypto
import MoatJSON
import Testing

@testable import MoatJOSE

private typealias F = Fixtures

@Suite("JWT signing and verification")
struct JWTVerifierTests {
    static let algorithms = JWSAlgorithm.allCases

    static func signer(for algorithm: JWSAlgorithm) throws -> JWTSigner {
        let key: PrivateKey =
            switch algorithm {
            case .rs256, .ps256: F.rsaKey
            case .es256: F.ecKey
            case .es384: try PrivateKey.generateEC(curve: .p384)
            case .edDSA: try PrivateKey.generateEd25519()
            }
        return try JWTSigner(privateKey: key, algorithm: algorithm, keyID: "k-\(algorithm.rawValue)")
    }

    @Test("signed token verifies with each algorithm", arguments: algorithms)
    func roundTrip(algorithm: JWSAlgorithm) throws {
        let signer = try Self.signer(for: algorithm)
        let keySet = try JSONWebKeySet(keys: [signer.publicJWK])
        let policy = JWTValidationPolicy(issuer: F.issuer, audiences: [F.audience], allowedAlgorithms: [algorithm])
        var claims = F.validClaims
        claims["roles"] = ["Reader", "Writer"]
        let token = try signer.sign(claims: claims)
        let verified = try JWTVerifier(keySet: keySet, policy: policy).verify(token, now: F.now)
        #expect(verified.header["alg"] == .string(algorithm.rawValue))
        #expect(verified.header["typ"] == "JWT")
        #expect(verified.issuer == F.issuer)
        #expect(verified.audiences == [F.audience])
        #expect(verified.strings("roles") == ["Reader", "Writer"])
        #expect(verified.expiresAt == F.now.addingTimeInterval(600))
    }

    @Test("PS256 token under an RS256 key is rejected")
    func algorithmBoundToKey() throws {
        // A PS256 token under the RS256 key's kid: same RSA key, other algorithm.
        let psSigner = try JWTSigner(privateKey: F.rsaKey, algorithm: .ps256, keyID: "rs-1")
        let token = try psSigner.sign(claims: F.validClaims)
        var policy = F.policy
        policy.allowedAlgorithms = [.rs256, .ps256]
        #expect(throws: JOSEError(code: .keyAlgorithmMismatch, reason: "")) {
            try JWTVerifier(keySet: F.keySet, policy: policy).verify(token, now: F.now)
        }
    }

    @Test("expired token with a bad signature fails on the signature")
    func signatureBeforeClaims() throws {
        var claims = F.validClaims
        claims["exp"] = .integer(Int64(F.now.timeIntervalSince1970) - 3600)
        let expired = try F.ecSigner.sign(claims: claims)
        #expect(throws: JOSEError(code: .tokenExpired, reason: "")) { try F.verifier.verify(expired, now: F.now) }

        var parts = expired.split(separator: ".").map(String.init)
        var signature = try Base64URL.decode(parts[2])
        signature[10] ^= 0x01
        parts[2] = Base64URL.encode(signature)
        #expect(throws: JOSEError(code: .invalidSignature, reason: "")) {
            try F.verifier.verify(parts.joined(separator: "."), now: F.now)
        }
    }

    @Test("times inside the leeway are accepted")
    func leewayBoundaries() throws {
        let time = Int64(F.now.timeIntervalSince1970)
        var claims = F.validClaims
        claims["exp"] = .integer(time - 59)
        claims["nbf"] = .integer(time + 60)
        claims["iat"] = .integer(time + 60)
        let token = try F.ecSigner.sign(claims: claims)
        #expect(throws: Never.self) { try F.verifier.verify(token, now: F.now) }
    }

    @Test("fractional NumericDate is compared exactly")
    func fractionalTimes() throws {
        var claims = F.validClaims
        claims["exp"] = .double(F.now.timeIntervalSince1970 - 59.5)
        #expect(throws: Never.self) { try F.verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now) }
        claims["exp"] = .double(F.now.timeIntervalSince1970 - 60.5)
        #expect(throws: JOSEError(code: .tokenExpired, reason: "")) {
            try F.verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now)
        }
    }

    @Test("token older than the maximum age is rejected")
    func maxTokenAge() throws {
        var policy = F.policy
        policy.maxTokenAge = 300
        let verifier = JWTVerifier(keySet: F.keySet, policy: policy)
        var claims = F.validClaims
        claims["iat"] = .integer(Int64(F.now.timeIntervalSince1970) - 361)
        #expect(throws: JOSEError(code: .tokenTooOld, reason: "")) { try verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now) }
        claims["iat"] = .integer(Int64(F.now.timeIntervalSince1970) - 359)
        #expect(throws: Never.self) { try verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now) }
        claims["iat"] = nil
        #expect(throws: JOSEError(code: .missingClaim, reason: "")) { try verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now) }
    }

    @Test("policy-required claim must be present")
    func requiredClaims() throws {
        var policy = F.policy
        policy.requiredClaims = ["sub", "nonce"]
        let verifier = JWTVerifier(keySet: F.keySet, policy: policy)
        #expect(throws: JOSEError(code: .missingClaim, reason: "")) { try verifier.verify(try F.ecSigner.sign(claims: F.validClaims), now: F.now) }
        var claims = F.validClaims
        claims["nonce"] = "n-1"
        #expect(throws: Never.self) { try verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now) }
    }

    @Test("aud array containing ours is accepted")
    func audienceArray() throws {
        var claims = F.validClaims
        claims["aud"] = ["api://other", .string(F.audience)]
        let verified = try F.verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now)
        #expect(verified.audiences == ["api://other", F.audience])
    }

    @Test("empty audience list accepts no token")
    func emptyAudiences() throws {
        var policy = F.policy
        policy.audiences = []
        #expect(throws: JOSEError(code: .audienceMismatch, reason: "")) {
            try JWTVerifier(keySet: F.keySet, policy: policy).verify(try F.ecSigner.sign(claims: F.validClaims), now: F.now)
        }
    }

    @Test("leeway is clamped to 0...300 seconds")
    func leewayClamp() {
        var policy = F.policy
        #expect(policy.leeway == 60)
        policy.leeway = 3600
        #expect(policy.leeway == 300)
        policy.leeway = -5
        #expect(policy.leeway == 0)
        #expect(JWTValidationPolicy(issuer: "i", audiences: [], allowedAlgorithms: [], leeway: .infinity).leeway == 300)
    }

    @Test("strings claim does not promote a single string")
    func rolesAsString() throws {
        var claims = F.validClaims
        claims["roles"] = "Admin"
        claims["groups"] = ["a", 1]
        let verified = try F.verifier.verify(try F.ecSigner.sign(claims: claims), now: F.now)
        #expect(verified.strings("roles") == [])
        #expect(verified.strings("groups") == [])
        #expect(verified.strings("absent") == [])
        #expect(verified.string("roles") == "Admin")
    }

    @Test("signer rejects an algorithm that does not fit its key")
    func signerMismatch() {
        #expect(throws: JOSEError(code: .keyAlgorithmMismatch, reason: "")) {
            try JWTSigner(privateKey: F.ecKey, algorithm: .rs256, keyID: "x")
        }
    }

    @Test("signer omits typ when asked")
    func signerWithoutType() throws {
        let token = try F.ecSigner.sign(claims: F.validClaims, type: nil)
        let jws = try CompactJWS.parse(token)
        #expect(jws.header["typ"] == nil)
        #expect(jws.header.keys == ["alg", "kid"])
    }

    @Test("JWS verifier returns the exact payload bytes")
    func jwsPayload() throws {
        let token = F.token(header: F.esHeader, payload: "not json")
        let verifier = JWSVerifier(keySet: F.keySet, allowedAlgorithms: [.es256])
        #expect(try verifier.verify(token).payload == Data("not json".utf8))
    }
}
