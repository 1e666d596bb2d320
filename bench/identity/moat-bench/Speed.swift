import Foundation
import MoatCore
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

/// Validation throughput on one thread, so on one core, per second of CPU time.
enum Speed {
    static let issuer = "https://login.example.test/1921488a-9834-4920-864a-44dfc001e2df/v2.0"
    static let audience = "9ac2b0ec-fbc8-4ee2-991e-793f1344adab"
    static let client = "b1878b01-5e5c-4982-a6c3-6028279da626"
    static let tenant = "1921488a-9834-4920-864a-44dfc001e2df"

    /// - Parameter only: when set, measures only this algorithm, for example under `perf record`.
    /// - Parameter validatorOnly: when true, measures only ``AccessTokenValidator``, for profiling.
    static func run(seconds: Double, only: JWSAlgorithm? = nil, validatorOnly: Bool = false) async throws {
        let cases: [(JWSAlgorithm, PrivateKey)] = [
            (.rs256, try PrivateKey.generateRSA(bits: 2048)),
            (.es256, try PrivateKey.generateEC(curve: .p256)),
        ]
        for (algorithm, key) in cases where only == nil || only == algorithm {
            let signer = try JWTSigner(privateKey: key, algorithm: algorithm, keyID: "bench-1")
            let now = Date()
            let token = try signer.sign(claims: Claims.accessToken(issuer: issuer, audience: audience, client: client, tenant: tenant, now: now))
            let keySet = try JSONWebKeySet(keys: [signer.publicJWK])

            let validator = AccessTokenValidator(
                policy: AccessTokenPolicy(
                    issuer: issuer, audiences: [audience], allowedClientApps: [client], allowedAlgorithms: [algorithm]),
                keys: KeySetCache(source: StaticKeySetSource(issuer: issuer, keySet: keySet)))
            if validatorOnly {
                let full = await measureAsync(seconds: seconds) { (try? await validator.validate(token: token)) != nil }
                report(algorithm, layer: "AccessTokenValidator", full)
                continue
            }

            let jws = try CompactJWS.parse(token)
            // Copied once here, because each read of these properties copies them.
            let signature = jws.signature
            let signingInput = jws.signingInput
            let raw = measure(seconds: seconds) {
                key.publicKey.isValidSignature(signature, for: signingInput, algorithm: algorithm.signatureAlgorithm)
            }
            report(algorithm, layer: "signature only (PublicKey.isValidSignature)", raw)
            let jwk = keySet.keys[0]
            let pooled = measure(seconds: seconds) { jwk.isValidSignature(signature, for: signingInput) }
            report(algorithm, layer: "signature only (JSONWebKey.isValidSignature)", pooled)
            let signatureOnly = JWSVerifier(keySet: keySet, allowedAlgorithms: [algorithm])
            let jwsOnly = measure(seconds: seconds) { (try? signatureOnly.verify(token)) != nil }
            report(algorithm, layer: "JWSVerifier (steps 1-4, no claims)", jwsOnly)

            let policy = JWTValidationPolicy(
                issuer: issuer, audiences: [audience], allowedAlgorithms: [algorithm], maxTokenAge: 86_400, requiredClaims: ["iat"])
            let verifier = JWTVerifier(keySet: keySet, policy: policy)
            let jose = measure(seconds: seconds) { (try? verifier.verify(token, now: now)) != nil }
            report(algorithm, layer: "JWTVerifier", jose)

            let full = await measureAsync(seconds: seconds) { (try? await validator.validate(token: token)) != nil }
            report(algorithm, layer: "AccessTokenValidator", full)
        }
    }

    /// Runs `body` until it has used `seconds` of CPU time; returns calls per
    /// CPU second, or 0 when any call failed. CPU time, as `openssl speed`
    /// divides by by default, keeps the figure stable on a busy machine.
    static func measure(seconds: Double, _ body: () -> Bool) -> Double {
        let start = cpuSeconds()
        var count = 0
        var allPassed = true
        var used = 0.0
        repeat {
            for _ in 0..<64 {
                allPassed = body() && allPassed
            }
            count += 64
            used = cpuSeconds() - start
        } while used < seconds
        return allPassed ? Double(count) / used : 0
    }

    static func measureAsync(seconds: Double, _ body: () async -> Bool) async -> Double {
        let start = cpuSeconds()
        var count = 0
        var allPassed = true
        var used = 0.0
        repeat {
            for _ in 0..<64 {
                allPassed = await body() && allPassed
            }
            count += 64
            used = cpuSeconds() - start
        } while used < seconds
        return allPassed ? Double(count) / used : 0
    }

    /// User plus system CPU time of the whole process, in seconds.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func report(_ algorithm: JWSAlgorithm, layer: String, _ perSecond: Double) {
        let line: JSONObject = ["algorithm": .string(algorithm.rawValue), "layer": .string(layer), "per_second": .integer(Int64(perSecond))]
        print(String(decoding: JSONValue.object(line).serialized(), as: UTF8.self))
    }
}

/// A key set served from memory, for the benchmark.
struct StaticKeySetSource: KeySetSource {
    let issuer: String
    let keySet: JSONWebKeySet

    func fetchMetadata() async throws -> OIDCProviderMetadata {
        OIDCProviderMetadata(issuer: issuer, authorizationEndpoint: "", tokenEndpoint: "", jwksURI: "memory:")
    }

    func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet { keySet }
}
