import Foundation
import MoatJSON
import Testing

@testable import MoatJOSE

/// The subset of Wycheproof's JWS and JWK schemas these tests read. Keys stay
/// as raw JSON so that Moat's own parser imports them.
private struct VectorFile: Decodable {
    let testGroups: [Group]

    struct Group: Decodable {
        let comment: String
        let tests: [Case]
    }

    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let jws: String
        let result: String
    }
}

/// Maps Wycheproof's JOSE vectors onto ``JSONWebKeySet`` and ``JWSVerifier``.
///
/// Each group supplies a key (or key set) as `public`, or only as `private`.
/// A relying party receives public keys, so a private-only group is mapped to
/// the key set its holder would publish: the same JWKs with the private
/// members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) removed. A symmetric
/// key without `k` is still `oct`, which Moat rejects.
enum WycheproofJOSE {
    static func groupKeySets(_ data: Data) throws -> [(publicSet: Data, privateSet: Data?)] {
        let document = try JSONValue.parse(data)
        let groups = try #require(document["testGroups"]?.arrayValue)
        return try groups.map { group in
            let privateValue = group["private"]
            let publicValue = try #require(group["public"] ?? privateValue.map(stripPrivateMembers))
            return (keySetData(publicValue), privateValue.map(keySetData))
        }
    }

    /// Wraps a single JWK as `{"keys":[jwk]}`; a value with `keys` already is a set.
    static func keySetData(_ value: JSONValue) -> Data {
        value["keys"] != nil ? value.serialized() : JSONValue.object(["keys": [value]]).serialized()
    }

    static func stripPrivateMembers(_ value: JSONValue) -> JSONValue {
        if case .array(let keys)? = value["keys"] {
            return ["keys": .array(keys.map(stripPrivateMembers))]
        }
        guard var object = value.objectValue else { return value }
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] { object[member] = nil }
        return .object(object)
    }

    /// The header's `alg`, read without verification, to classify skipped cases.
    static func headerAlgorithm(_ token: String) -> String? {
        guard let segment = token.split(separator: ".", omittingEmptySubsequences: false).first,
            let bytes = try? Base64URL.decode(segment),
            let header = try? JSONValue.parse(bytes)
        else { return nil }
        return header["alg"]?.stringValue
    }

    /// Runs one file and returns the cases whose outcome differs from the expectation.
    static func run(file: String, overrides: [Int: String]) throws -> (mismatches: [String], counts: [String: Int]) {
        let data = try TestData.wycheproof(file)
        let vectors = try JSONDecoder().decode(VectorFile.self, from: data)
        let keySets = try groupKeySets(data)
        var mismatches: [String] = []
        var counts: [String: Int] = [:]
        for (group, keys) in zip(vectors.testGroups, keySets) {
            // Moat's policy: a set that carries private or symmetric keys is never accepted.
            if let privateSet = keys.privateSet, (try? JSONWebKeySet(data: privateSet)) != nil {
                mismatches.append("group \(group.comment): private key set was accepted")
            }
            let keySet = try? JSONWebKeySet(data: keys.publicSet)
            for test in group.tests {
                var outcome: Result<CompactJWS, JOSEError>
                if let keySet {
                    let verifier = JWSVerifier(keySet: keySet, allowedAlgorithms: Set(JWSAlgorithm.allCases))
                    outcome = Result { () throws(JOSEError) in try verifier.verify(test.jws) }
                } else {
                    outcome = .failure(JOSEError(code: .invalidKey, reason: "key set rejected"))
                }
                let accepted = (try? outcome.get()) != nil
                var expected = overrides[test.tcId] ?? test.result
                let algorithm = headerAlgorithm(test.jws) ?? ""
                // Valid vectors for algorithms Moat does not implement (HS*, RS384,
                // RS512, PS384, PS512, ES512) must be rejected: Moat supports only
                // RS256, PS256, ES256, ES384 and EdDSA, and never HMAC with a key set.
                if expected == "valid" && JWSAlgorithm(rawValue: algorithm) == nil {
                    expected = "invalid"
                    counts["skipped (unsupported algorithm \(algorithm))", default: 0] += 1
                } else {
                    counts[expected, default: 0] += 1
                }
                if accepted != (expected == "valid") {
                    let detail = (try? outcome.get()).map { _ in "accepted" } ?? "rejected"
                    mismatches.append("tcId \(test.tcId) \(test.comment): expected \(expected), \(detail)")
                }
            }
        }
        return (mismatches, counts)
    }
}

@Suite("Wycheproof JOSE vectors")
struct WycheproofJOSETests {
    @Test("JWS vectors get their expected verdict")
    func signatures() throws {
        // tcIds 372 and 373 are labelled `valid` upstream, but a `?` was inserted
        // into the header or payload after the MAC was computed, so the MAC does
        // not cover the received bytes and the segment is not base64url. Moat
        // rejects them, as RFC 7515 §5.2 requires.
        let (mismatches, counts) = try WycheproofJOSE.run(
            file: "json_web_signature_test.json", overrides: [372: "invalid", 373: "invalid"])
        print("json_web_signature_test.json:", counts.sorted { $0.key < $1.key })
        #expect(mismatches == [])
        #expect(counts["valid", default: 0] > 0)
    }

    @Test("JWK vectors get their expected verdict")
    func keys() throws {
        let (mismatches, counts) = try WycheproofJOSE.run(file: "json_web_key_test.json", overrides: [:])
        print("json_web_key_test.json:", counts.sorted { $0.key < $1.key })
        #expect(mismatches == [])
        #expect(counts["valid", default: 0] > 0)
    }

    @Test("ROCA key from the JWK vectors is rejected for its fingerprint")
    func rocaKey() throws {
        let data = try TestData.wycheproof("json_web_key_test.json")
        let document = try JSONValue.parse(data)
        let group = try #require(document["testGroups"]?.arrayValue?.first { $0["comment"] == "jws_rsa_roca_key" })
        let privateKey = try #require(group["private"]?["keys"]?.arrayValue?.first)
        let publicKey = try #require(WycheproofJOSE.stripPrivateMembers(privateKey).objectValue)
        do {
            _ = try JSONWebKey(json: publicKey)
            Issue.record("ROCA key was accepted")
        } catch {
            #expect(error.code == .invalidKey)
            #expect(error.reason.contains("ROCA"))
        }
    }
}
