import Foundation
import MoatCore
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

/// The two halves of the JOSE interoperability test: tokens Moat signs for
/// other libraries, and tokens other libraries signed for Moat to validate.
enum Interop {
    static func sign(_ options: [String: String]) throws {
        let folder = URL(fileURLWithPath: required(options, "out"), isDirectory: true)
        let claims = Claims.accessToken(
            issuer: required(options, "issuer"), audience: required(options, "audience"),
            client: required(options, "client"), tenant: required(options, "tenant"), now: Date())
        let keys: [(JWSAlgorithm, PrivateKey)] = [
            (.rs256, try PrivateKey.generateRSA(bits: 2048)),
            (.ps256, try PrivateKey.generateRSA(bits: 2048)),
            (.es256, try PrivateKey.generateEC(curve: .p256)),
            (.es384, try PrivateKey.generateEC(curve: .p384)),
            (.edDSA, try PrivateKey.generateEd25519()),
        ]
        var publicKeys: [JSONWebKey] = []
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (algorithm, key) in keys {
            let signer = try JWTSigner(privateKey: key, algorithm: algorithm, keyID: "moat-\(algorithm.rawValue)")
            publicKeys.append(signer.publicJWK)
            let token = try signer.sign(claims: claims)
            try Data(token.utf8).write(to: folder.appendingPathComponent("moat-\(algorithm.rawValue).jwt"))
        }
        try JSONWebKeySet(keys: publicKeys).serialized().write(to: folder.appendingPathComponent("jwks.json"))
    }

    static func validate(_ options: [String: String]) async throws {
        let issuer = required(options, "issuer")
        let policy = AccessTokenPolicy(
            issuer: issuer, audiences: [required(options, "audience")], allowedClientApps: [required(options, "client")],
            allowedAlgorithms: Set(JWSAlgorithm.allCases))
        let validator = AccessTokenValidator(policy: policy, keys: KeySetCache(source: HTTPKeySetSource(issuer: issuer)))
        let lines = try String(contentsOfFile: required(options, "tokens"), encoding: .utf8).split(separator: "\n")
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            var result: JSONObject = ["name": .string(parts[0])]
            do {
                let principal = try await validator.validate(token: parts[1])
                result["valid"] = true
                result["oid"] = .string(principal.objectID)
            } catch {
                result["valid"] = false
                result["code"] = .string(error.detailCode ?? error.code.rawValue)
            }
            print(String(decoding: JSONValue.object(result).serialized(), as: UTF8.self))
        }
    }

    private static func required(_ options: [String: String], _ name: String) -> String {
        guard let value = options[name] else { MoatBench.fail("option --\(name) is required") }
        return value
    }
}
