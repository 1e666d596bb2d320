import COpenSSL
import Foundation
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

/// RS256 `AccessTokenValidator` against OpenSSL's own verify of the same
/// token signature, measured in alternating slices of CPU time in one process.
///
/// The peer is the RSA public-key operation alone: `EVP_PKEY_verify` on an
/// `EVP_PKEY_CTX` set up once, given a precomputed digest. Its rate came
/// within 4 % of `openssl speed rsa2048` verify in the runs recorded in
/// docs/benchmarks.md. On a machine whose speed drifts within seconds, runs
/// of `openssl speed` between runs of the validator differ by tens of
/// percent. Slices of `slice` seconds, alternated until each side has used
/// `seconds`, see the same drift.
enum Goal {
    static func run(seconds: Double, slice: Double) async throws {
        let key = try PrivateKey.generateRSA(bits: 2048)
        let signer = try JWTSigner(privateKey: key, algorithm: .rs256, keyID: "bench-1")
        let token = try signer.sign(
            claims: Claims.accessToken(issuer: Speed.issuer, audience: Speed.audience, client: Speed.client, tenant: Speed.tenant, now: Date()))
        let keySet = try JSONWebKeySet(keys: [signer.publicJWK])
        let validator = AccessTokenValidator(
            policy: AccessTokenPolicy(issuer: Speed.issuer, audiences: [Speed.audience], allowedClientApps: [Speed.client], allowedAlgorithms: [.rs256]),
            keys: KeySetCache(source: StaticKeySetSource(issuer: Speed.issuer, keySet: keySet)))
        let jws = try CompactJWS.parse(token)
        let peer = try RawVerifier(publicKey: key.publicKey, signature: [UInt8](jws.signature), digest: [UInt8](Digest.sha256(jws.signingInput)))

        var validatorTotal = Tally()
        var peerTotal = Tally()
        while validatorTotal.cpuSeconds < seconds || peerTotal.cpuSeconds < seconds {
            peerTotal.add(measureSlice(seconds: slice) { peer.verify() })
            validatorTotal.add(await measureSliceAsync(seconds: slice) { (try? await validator.validate(token: token)) != nil })
        }
        guard validatorTotal.allPassed, peerTotal.allPassed else {
            throw BenchError("a verification failed during the measurement")
        }
        let line: JSONObject = [
            "validator_per_second": .integer(Int64(validatorTotal.perSecond)),
            "openssl_per_second": .integer(Int64(peerTotal.perSecond)),
            "slice_seconds": .double(slice),
        ]
        print(String(decoding: JSONValue.object(line).serialized(), as: UTF8.self))
    }

    /// Calls and CPU seconds summed over slices.
    struct Tally {
        var calls = 0
        var cpuSeconds = 0.0
        var allPassed = true

        var perSecond: Double { cpuSeconds > 0 ? Double(calls) / cpuSeconds : 0 }

        mutating func add(_ slice: Tally) {
            calls += slice.calls
            cpuSeconds += slice.cpuSeconds
            allPassed = allPassed && slice.allPassed
        }
    }

    static func measureSlice(seconds: Double, _ body: () -> Bool) -> Tally {
        var tally = Tally()
        let start = Speed.cpuSeconds()
        repeat {
            for _ in 0..<16 { tally.allPassed = body() && tally.allPassed }
            tally.calls += 16
            tally.cpuSeconds = Speed.cpuSeconds() - start
        } while tally.cpuSeconds < seconds
        return tally
    }

    static func measureSliceAsync(seconds: Double, _ body: () async -> Bool) async -> Tally {
        var tally = Tally()
        let start = Speed.cpuSeconds()
        repeat {
            for _ in 0..<16 { tally.allPassed = await body() && tally.allPassed }
            tally.calls += 16
            tally.cpuSeconds = Speed.cpuSeconds() - start
        } while tally.cpuSeconds < seconds
        return tally
    }
}

/// OpenSSL's PKCS #1 v1.5 verify of one SHA-256 digest on a context set up once.
final class RawVerifier {
    private let key: OpaquePointer
    private let context: OpaquePointer
    private let signature: [UInt8]
    private let digest: [UInt8]

    init(publicKey: PublicKey, signature: [UInt8], digest: [UInt8]) throws {
        let der = [UInt8](publicKey.derSubjectPublicKeyInfo())
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw BenchError("d2i_PUBKEY failed") }
        guard let context = EVP_PKEY_CTX_new(key, nil) else {
            EVP_PKEY_free(key)
            throw BenchError("EVP_PKEY_CTX_new failed")
        }
        guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
              EVP_PKEY_CTX_set_signature_md(context, EVP_sha256()) == 1
        else {
            EVP_PKEY_CTX_free(context)
            EVP_PKEY_free(key)
            throw BenchError("EVP_PKEY_CTX set-up for RSA PKCS #1 v1.5 with SHA-256 failed")
        }
        self.key = key
        self.context = context
        self.signature = signature
        self.digest = digest
    }

    deinit {
        EVP_PKEY_CTX_free(context)
        EVP_PKEY_free(key)
    }

    func verify() -> Bool {
        EVP_PKEY_verify(context, signature, signature.count, digest, digest.count) == 1
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
