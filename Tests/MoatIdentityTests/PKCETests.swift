import Foundation
import MoatIdentity
import Testing

@Suite("PKCE")
struct PKCETests {
    /// RFC 7636 Appendix B: the example code verifier and its S256 challenge.
    static let rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    @Test("S256 challenge matches RFC 7636 Appendix B")
    func challengeMatchesRFCExample() {
        #expect(PKCE.challenge(for: Self.rfcVerifier) == Self.rfcChallenge)
        #expect(PKCE(verifier: Self.rfcVerifier).challenge == Self.rfcChallenge)
    }

    @Test("RFC 7636 example verifier is well formed")
    func rfcVerifierIsWellFormed() {
        #expect(PKCE.isWellFormedVerifier(Self.rfcVerifier))
    }

    @Test("verifier of 43 and 128 characters is accepted", arguments: [43, 128])
    func boundaryLengthsAreAccepted(length: Int) {
        #expect(PKCE.isWellFormedVerifier(String(repeating: "a", count: length)))
    }

    @Test("verifier of 42 or 129 characters is rejected", arguments: [0, 42, 129])
    func outOfRangeLengthsAreRejected(length: Int) {
        #expect(!PKCE.isWellFormedVerifier(String(repeating: "a", count: length)))
    }

    @Test("all unreserved characters accepted")
    func unreservedCharactersAreAccepted() {
        let verifier = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
        #expect(PKCE.isWellFormedVerifier(verifier))
    }

    @Test("verifier with reserved character rejected", arguments: [
        " ", "+", "/", "=", "%", "!", "é", "\u{0}", "\n",
    ])
    func reservedCharacterIsRejected(character: String) {
        let verifier = String(repeating: "a", count: 42) + character
        #expect(!PKCE.isWellFormedVerifier(verifier))
    }

    @Test("generated verifier is well formed and unique")
    func generatedVerifierIsWellFormed() {
        let first = PKCE()
        let second = PKCE()

        #expect(PKCE.isWellFormedVerifier(first.verifier))
        #expect(first.verifier.count == 43)
        #expect(first.verifier != second.verifier)
        #expect(first.challenge.count == 43)
    }
}
