import Foundation
import MoatCrypto
import MoatJSON
import Testing

@testable import MoatJOSE

/// A crafted token and the error code Moat must reject it with.
struct Attack: Sendable, CustomTestStringConvertible {
    let name: String
    let token: String
    let expected: JOSEError.Code
    var testDescription: String { name }
}

private typealias F = Fixtures

private func hs256(keyedWith key: Data, header: String = #"{"alg":"HS256","kid":"rs-1"}"#) -> String {
    let signingInput = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(F.claimsText().utf8))
    return signingInput + "." + Base64URL.encode(HMAC.sha256(key: key, message: Data(signingInput.utf8)))
}

private func replacingSegment(_ index: Int, of token: String, with segment: String) -> String {
    var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    parts[index] = segment
    return parts.joined(separator: ".")
}

private let time = Int64(F.now.timeIntervalSince1970)
private let valid = F.token(header: F.esHeader, payload: F.claimsText())
private let attackerJWK = String(decoding: JSONValue.object(try! JSONWebKey(publicKey: F.attackerKey.publicKey, keyID: "es-1", algorithm: .es256).jsonObject()).serialized(), as: UTF8.self)

private func claims(_ replacements: [String: String], removing: Set<String> = []) -> String {
    let extra = replacements.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
    return F.claimsText(appending: extra, without: Set(replacements.keys).union(removing))
}

private func signed(header: String = F.esHeader, payload: String) -> String {
    F.token(header: header, payload: payload)
}

let attacks: [Attack] = [
    // Algorithm handling.
    Attack(name: "alg none with empty signature", token: F.token(header: #"{"alg":"none"}"#, payload: F.claimsText(), signer: nil, signature: Data()) , expected: .malformedToken),
    Attack(name: "alg none with a signature", token: F.token(header: #"{"alg":"none","kid":"es-1"}"#, payload: F.claimsText(), signer: nil), expected: .unsupportedAlgorithm),
    Attack(name: "alg None", token: signed(header: #"{"alg":"None","kid":"es-1"}"#, payload: F.claimsText()), expected: .unsupportedAlgorithm),
    Attack(name: "alg NONE", token: signed(header: #"{"alg":"NONE","kid":"es-1"}"#, payload: F.claimsText()), expected: .unsupportedAlgorithm),
    Attack(name: "alg nOnE", token: signed(header: #"{"alg":"nOnE","kid":"es-1"}"#, payload: F.claimsText()), expected: .unsupportedAlgorithm),
    Attack(name: "alg in lower case es256", token: signed(header: #"{"alg":"es256","kid":"es-1"}"#, payload: F.claimsText()), expected: .unsupportedAlgorithm),
    Attack(name: "alg missing", token: signed(header: #"{"kid":"es-1"}"#, payload: F.claimsText()), expected: .unsupportedAlgorithm),
    Attack(name: "alg not a string", token: signed(header: #"{"alg":["ES256"],"kid":"es-1"}"#, payload: F.claimsText()), expected: .invalidHeader),
    Attack(name: "HS256 keyed with the public key PEM", token: hs256(keyedWith: Data(F.rsaKey.publicKey.pemEncoded().utf8)), expected: .unsupportedAlgorithm),
    Attack(name: "HS256 keyed with the SPKI DER", token: hs256(keyedWith: F.rsaKey.publicKey.derSubjectPublicKeyInfo()), expected: .unsupportedAlgorithm),
    Attack(name: "HS256 keyed with the JWK JSON", token: hs256(keyedWith: JSONValue.object(F.rsaSigner.publicJWK.jsonObject()).serialized()), expected: .unsupportedAlgorithm),
    Attack(name: "ES384 is supported but not allowed", token: signed(header: #"{"alg":"ES384","kid":"es-1"}"#, payload: F.claimsText()), expected: .algorithmNotAllowed),
    Attack(name: "RS256 header against the ES256 key", token: signed(header: #"{"alg":"RS256","kid":"es-1"}"#, payload: F.claimsText()), expected: .keyAlgorithmMismatch),
    Attack(name: "ES256 header against the RS256 key", token: signed(header: #"{"alg":"ES256","kid":"rs-1"}"#, payload: F.claimsText()), expected: .keyAlgorithmMismatch),

    // Header extensions and key-locating headers.
    Attack(name: "crit naming exp", token: signed(header: #"{"alg":"ES256","kid":"es-1","crit":["exp"],"exp":1}"#, payload: F.claimsText()), expected: .unsupportedCriticalHeader),
    Attack(name: "crit empty", token: signed(header: #"{"alg":"ES256","kid":"es-1","crit":[]}"#, payload: F.claimsText()), expected: .unsupportedCriticalHeader),
    Attack(name: "b64 false", token: signed(header: #"{"alg":"ES256","kid":"es-1","b64":false}"#, payload: F.claimsText()), expected: .unsupportedCriticalHeader),
    Attack(name: "jku to a loopback URL", token: signed(header: #"{"alg":"ES256","kid":"es-1","jku":"http://127.0.0.1:1/jwks"}"#, payload: F.claimsText()), expected: .forbiddenHeader),
    Attack(name: "x5u to a loopback URL", token: signed(header: #"{"alg":"ES256","kid":"es-1","x5u":"http://127.0.0.1:1/cert"}"#, payload: F.claimsText()), expected: .forbiddenHeader),
    Attack(name: "embedded attacker jwk", token: F.token(header: #"{"alg":"ES256","kid":"es-1","jwk":\#(attackerJWK)}"#, payload: F.claimsText(), signer: F.attackerKey), expected: .forbiddenHeader),
    Attack(name: "embedded x5c chain", token: signed(header: #"{"alg":"ES256","kid":"es-1","x5c":["MIIB"]}"#, payload: F.claimsText()), expected: .forbiddenHeader),

    // Duplicate members.
    Attack(name: "duplicate alg in header", token: signed(header: #"{"alg":"ES256","kid":"es-1","alg":"none"}"#, payload: F.claimsText()), expected: .duplicateMember),
    Attack(name: "duplicate kid in header", token: signed(header: #"{"alg":"ES256","kid":"es-1","kid":"rs-1"}"#, payload: F.claimsText()), expected: .duplicateMember),
    Attack(name: "duplicate iss in claims", token: signed(payload: F.claimsText(appending: #""iss":"https://evil.test""#)), expected: .duplicateMember),
    Attack(name: "duplicate exp in claims", token: signed(payload: F.claimsText(appending: #""exp":9999999999"#)), expected: .duplicateMember),
    Attack(name: "duplicate aud in claims", token: signed(payload: F.claimsText(appending: #""aud":"api://other""#)), expected: .duplicateMember),

    // Claim type confusion.
    Attack(name: "exp as a string", token: signed(payload: claims(["exp": #""9999999999""#])), expected: .invalidClaimType),
    Attack(name: "exp null", token: signed(payload: claims(["exp": "null"])), expected: .invalidClaimType),
    Attack(name: "exp overflowing to infinity", token: signed(payload: claims(["exp": "1e309"])), expected: .invalidJSON),
    Attack(name: "nbf true", token: signed(payload: claims(["nbf": "true"])), expected: .invalidClaimType),
    Attack(name: "iat as an object", token: signed(payload: claims(["iat": #"{"t":1}"#])), expected: .invalidClaimType),
    Attack(name: "iss as an array", token: signed(payload: claims(["iss": #"["\#(F.issuer)","https://evil.test"]"#])), expected: .invalidClaimType),
    Attack(name: "sub as a number", token: signed(payload: claims(["sub": "42"])), expected: .invalidClaimType),
    Attack(name: "aud as a number", token: signed(payload: claims(["aud": "123"])), expected: .invalidClaimType),
    Attack(name: "aud array with a number", token: signed(payload: claims(["aud": #"["\#(F.audience)",5]"#])), expected: .invalidClaimType),

    // Payload shape.
    Attack(name: "payload is an array", token: signed(payload: "[]"), expected: .invalidJSON),
    Attack(name: "payload is a number", token: signed(payload: "123"), expected: .invalidJSON),
    Attack(name: "payload with a byte order mark", token: signed(payload: "\u{FEFF}" + F.claimsText()), expected: .invalidJSON),
    Attack(name: "empty payload", token: signed(payload: ""), expected: .invalidJSON),

    // Encoding and structure.
    Attack(name: "padding in the header", token: replacingSegment(0, of: valid, with: Base64URL.encode(Data(F.esHeader.utf8)) + "=="), expected: .invalidBase64URL),
    Attack(name: "plus in the payload", token: replacingSegment(1, of: valid, with: "eyJ+" + "AAAA"), expected: .invalidBase64URL),
    Attack(name: "slash in the signature", token: replacingSegment(2, of: valid, with: "ab/c"), expected: .invalidBase64URL),
    Attack(name: "space in the signature", token: replacingSegment(2, of: valid, with: "ab c"), expected: .invalidBase64URL),
    Attack(name: "two segments", token: valid.split(separator: ".").prefix(2).joined(separator: "."), expected: .malformedToken),
    Attack(name: "four segments", token: valid + ".AAAA", expected: .malformedToken),
    Attack(name: "empty signature", token: replacingSegment(2, of: valid, with: ""), expected: .malformedToken),
    Attack(name: "empty header", token: replacingSegment(0, of: valid, with: ""), expected: .malformedToken),
    Attack(name: "JSON serialization", token: #"{"payload":"e30","signatures":[{"protected":"e30","signature":"AA"}]}"#, expected: .malformedToken),
    Attack(name: "token over 16 KiB", token: signed(payload: claims(["pad": "\"" + String(repeating: "a", count: 13_000) + "\""])), expected: .tokenTooLarge),

    // Signature.
    Attack(name: "signed by an attacker key", token: F.token(header: F.esHeader, payload: F.claimsText(), signer: F.attackerKey), expected: .invalidSignature),
    Attack(name: "ES256 signature r and s zero", token: F.token(header: F.esHeader, payload: F.claimsText(), signer: nil, signature: Data(count: 64)), expected: .invalidSignature),
    Attack(name: "payload changed after signing", token: replacingSegment(1, of: valid, with: Base64URL.encode(Data(claims(["sub": #""admin""#]).utf8))), expected: .invalidSignature),

    // Key selection.
    Attack(name: "unknown kid", token: signed(header: #"{"alg":"ES256","kid":"es-2"}"#, payload: F.claimsText()), expected: .unknownKey),
    Attack(name: "kid path traversal", token: signed(header: #"{"alg":"ES256","kid":"../../../../dev/null"}"#, payload: F.claimsText()), expected: .unknownKey),
    Attack(name: "kid SQL injection", token: signed(header: #"{"alg":"ES256","kid":"x' UNION SELECT 'secret'--"}"#, payload: F.claimsText()), expected: .unknownKey),
    Attack(name: "kid absent with two keys", token: signed(header: #"{"alg":"ES256"}"#, payload: F.claimsText()), expected: .ambiguousKey),
    Attack(name: "kid as a number", token: signed(header: #"{"alg":"ES256","kid":1}"#, payload: F.claimsText()), expected: .invalidHeader),

    // Issuer and audience.
    Attack(name: "iss with a trailing slash", token: signed(payload: claims(["iss": "\"\(F.issuer)/\""])), expected: .issuerMismatch),
    Attack(name: "iss in upper case", token: signed(payload: claims(["iss": "\"\(F.issuer.uppercased())\""])), expected: .issuerMismatch),
    Attack(name: "iss over http", token: signed(payload: claims(["iss": "\"\(F.issuer.replacingOccurrences(of: "https:", with: "http:"))\""])), expected: .issuerMismatch),
    Attack(name: "iss with a suffix", token: signed(payload: claims(["iss": "\"\(F.issuer).evil\""])), expected: .issuerMismatch),
    Attack(name: "iss missing", token: signed(payload: F.claimsText(without: ["iss"])), expected: .missingClaim),
    Attack(name: "aud missing", token: signed(payload: F.claimsText(without: ["aud"])), expected: .missingClaim),
    Attack(name: "aud of another API", token: signed(payload: claims(["aud": #""00000003-0000-0000-c000-000000000000""#])), expected: .audienceMismatch),
    Attack(name: "aud array without ours", token: signed(payload: claims(["aud": #"["api://other","api://moat/"]"#])), expected: .audienceMismatch),
    Attack(name: "aud empty array", token: signed(payload: claims(["aud": "[]"])), expected: .audienceMismatch),

    // Time, with 60 s leeway at the fixed `now`.
    Attack(name: "exp missing", token: signed(payload: F.claimsText(without: ["exp"])), expected: .missingClaim),
    Attack(name: "exp one second past the leeway", token: signed(payload: claims(["exp": "\(time - 61)"])), expected: .tokenExpired),
    Attack(name: "exp exactly at the leeway edge", token: signed(payload: claims(["exp": "\(time - 60)"])), expected: .tokenExpired),
    Attack(name: "exp negative", token: signed(payload: claims(["exp": "-1"])), expected: .tokenExpired),
    Attack(name: "nbf one second beyond the leeway", token: signed(payload: claims(["nbf": "\(time + 61)"])), expected: .tokenNotYetValid),
    Attack(name: "iat one second beyond the leeway", token: signed(payload: claims(["iat": "\(time + 61)"])), expected: .issuedInFuture),
]

@Suite("Attack tokens")
struct AttackTests {
    @Test("crafted token is rejected with its code", arguments: attacks)
    func rejected(attack: Attack) {
        do {
            _ = try F.verifier.verify(attack.token, now: F.now)
            Issue.record("token was accepted")
        } catch {
            #expect(error.code == attack.expected, "\(error.reason)")
        }
    }

    @Test("attack table has at least 30 entries")
    func tableSize() {
        #expect(attacks.count >= 30)
    }

    @Test("unmodified fixture token is accepted")
    func baseline() throws {
        let verified = try F.verifier.verify(valid, now: F.now)
        #expect(verified.subject == "user-1")
    }
}
