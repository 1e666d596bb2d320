import Foundation
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

/// Cost of each step around the signature check, in nanoseconds per call, for profiling.
enum Breakdown {
    static func run(seconds: Double) async throws {
        let key = try PrivateKey.generateRSA(bits: 2048)
        let signer = try JWTSigner(privateKey: key, algorithm: .rs256, keyID: "bench-1")
        let now = Date()
        let token = try signer.sign(claims: Claims.accessToken(issuer: Speed.issuer, audience: Speed.audience, client: Speed.client, tenant: Speed.tenant, now: now))
        let keySet = try JSONWebKeySet(keys: [signer.publicJWK])
        let jws = try CompactJWS.parse(token)
        let payload = [UInt8](jws.payload)
        let policy = JWTValidationPolicy(
            issuer: Speed.issuer, audiences: [Speed.audience], allowedAlgorithms: [.rs256], maxTokenAge: 86_400, requiredClaims: ["iat"])
        let verifier = JWTVerifier(keySet: keySet, policy: policy)
        let index = try JSONObjectIndex.parse(bytes: payload)!
        report("CompactJWS.parse", Speed.measure(seconds: seconds) { (try? CompactJWS.parse(token)) != nil })
        report("JSONValue.parse payload", Speed.measure(seconds: seconds) { (try? JSONValue.parse(bytes: payload)) != nil })
        report("JSONObjectIndex.parse payload", Speed.measure(seconds: seconds) { (try? JSONObjectIndex.parse(bytes: payload)) != nil })
        report("JWTVerifier.validateClaims", Speed.measure(seconds: seconds) { (try? verifier.validateClaims(index, now: now)) != nil })
        report("10 string reads", Speed.measure(seconds: seconds) {
            var total = 0
            for _ in 0..<10 { total += index.string(RegisteredClaim.issuer)?.utf8.count ?? 0 }
            return total > 0
        })
        report("10 kind lookups", Speed.measure(seconds: seconds) {
            var total = 0
            for _ in 0..<10 { total += index.kind(of: RegisteredClaim.audience) == nil ? 0 : 1 }
            return total > 0
        })
        let keys = KeySetCache(source: StaticKeySetSource(issuer: Speed.issuer, keySet: keySet))
        report("KeySetCache.currentKeySet", await Speed.measureAsync(seconds: seconds) { (try? await keys.currentKeySet()) != nil })
        let jwk = keySet.keys[0]
        let signature = jws.signature
        let signingInput = jws.signingInput
        report("JSONWebKey.isValidSignature", Speed.measure(seconds: seconds) { jwk.isValidSignature(signature, for: signingInput) })
        report("JWTVerifier.verify", Speed.measure(seconds: seconds) { (try? verifier.verify(token, now: now)) != nil })
        let validator = AccessTokenValidator(
            policy: AccessTokenPolicy(issuer: Speed.issuer, audiences: [Speed.audience], allowedClientApps: [Speed.client]),
            keys: KeySetCache(source: StaticKeySetSource(issuer: Speed.issuer, keySet: keySet)))
        report("AccessTokenValidator.validate", await Speed.measureAsync(seconds: seconds) { (try? await validator.validate(token: token)) != nil })
    }

    static func report(_ step: String, _ perSecond: Double) {
        let line: JSONObject = ["step": .string(step), "nanoseconds": .integer(perSecond > 0 ? Int64(1e9 / perSecond) : -1)]
        print(String(decoding: JSONValue.object(line).serialized(), as: UTF8.self))
    }
}
