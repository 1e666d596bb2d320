import Foundation
import MoatCore
import MoatCrypto
import MoatIdentity
import MoatJOSE
import MoatJSON

/// `moat-bench`: measures token validation and serves the interoperability tests.
///
/// - `speed [--seconds N] [--algorithm RS256|ES256] [--layer validator]`: validations
///   per second on one thread, per algorithm and layer, as JSON lines; `--layer
///   validator` measures only ``AccessTokenValidator``, for profiling.
/// - `breakdown [--seconds N]`: nanoseconds per call of each RS256 step, for profiling.
/// - `goal [--seconds N] [--slice S]`: RS256 ``AccessTokenValidator`` and OpenSSL's
///   `EVP_PKEY_verify` of the same signature, alternated in slices of S CPU
///   seconds (default 0.05) until each has used N (default 10), as one JSON line.
/// - `sign --out DIR --issuer URL --audience AUD --client ID --tenant TID`: writes
///   `jwks.json` and one Entra-shaped token per algorithm (`moat-RS256.jwt`, …)
///   for other JOSE libraries to verify.
/// - `validate --issuer URL --audience AUD --client ID --tokens FILE`: validates
///   each `name token` line of FILE with ``AccessTokenValidator``, fetching the
///   keys through the issuer's discovery document, and prints one JSON line per token.
@main
struct MoatBench {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else { fail("usage: moat-bench speed|breakdown|goal|sign|validate [options]") }
        let command = arguments.removeFirst()
        let options = parseOptions(arguments)
        do {
            switch command {
            case "speed":
                let only = options["algorithm"].map { name in
                    guard let algorithm = JWSAlgorithm(rawValue: name) else { fail("--algorithm must be RS256 or ES256, not \(name)") }
                    return algorithm
                }
                try await Speed.run(
                    seconds: Double(options["seconds"] ?? "3") ?? 3, only: only, validatorOnly: options["layer"] == "validator")
            case "breakdown": try await Breakdown.run(seconds: Double(options["seconds"] ?? "1") ?? 1)
            case "goal":
                try await Goal.run(seconds: Double(options["seconds"] ?? "10") ?? 10, slice: Double(options["slice"] ?? "0.05") ?? 0.05)
            case "sign": try Interop.sign(options)
            case "validate": try await Interop.validate(options)
            default: fail("unknown command \(command); use speed, breakdown, goal, sign or validate")
            }
        } catch {
            fail("moat-bench \(command) failed: \(error)")
        }
    }

    static func parseOptions(_ arguments: [String]) -> [String: String] {
        var options: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else { fail("option \(name) needs a value") }
            options[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        return options
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}

/// Entra-shaped claims shared by the benchmark and the interoperability tokens.
enum Claims {
    static func accessToken(issuer: String, audience: String, client: String, tenant: String, now: Date) -> JSONObject {
        let issuedAt = Int64(now.timeIntervalSince1970)
        return [
            "aud": .string(audience), "iss": .string(issuer),
            "iat": .integer(issuedAt), "nbf": .integer(issuedAt), "exp": .integer(issuedAt + 3600),
            "azp": .string(client), "oid": "2afeed91-10d6-4063-932f-71f5c7146f3f", "tid": .string(tenant),
            "scp": "Chat", "roles": ["Reader"], "sub": "pairwise-subject", "ver": "2.0",
            "preferred_username": "alice@fabrikam.example", "uti": "bench",
        ]
    }
}
