import Foundation
import MoatCore
import MoatIdentity
import MoatJOSE
import Testing

@Suite("RelyingParty key rotation")
struct RelyingPartyKeyRotationTests {
    let clock = ManualClock(TestKeys.start)
    let source: FakeKeySetSource
    let relyingParty: RelyingParty

    init() throws {
        source = try FakeKeySetSource(keys: [TestKeys.signer.publicJWK])
        let keys = KeySetCache(source: source, timeToLive: 3600, refetchCooldown: 30, clock: clock)
        relyingParty = RelyingParty(
            configuration: RelyingPartyConfiguration(
                issuer: TestKeys.issuer, clientID: TestKeys.webClientID, clientSecret: "unused",
                redirectURI: "http://127.0.0.1/auth/callback", scopes: ["openid"]
            ),
            keys: keys, clock: clock
        )
    }

    static func idToken(nonce: String, signer: JWTSigner) throws -> String {
        var claims = TestKeys.delegatedClaims()
        claims["aud"] = .string(TestKeys.webClientID)
        claims["nonce"] = .string(nonce)
        claims["scp"] = nil
        return try TestKeys.sign(claims, with: signer)
    }

    @Test("rotated ID token key is refetched")
    func rotatedKeyIsFetched() async throws {
        _ = try await relyingParty.validateIDToken(try Self.idToken(nonce: "n-1", signer: TestKeys.signer), nonce: "n-1")
        try source.serve([TestKeys.signer.publicJWK, TestKeys.rotatedSigner.publicJWK])
        clock.advance(by: 31)

        let user = try await relyingParty.validateIDToken(try Self.idToken(nonce: "n-2", signer: TestKeys.rotatedSigner), nonce: "n-2")

        #expect(user.objectID == TestKeys.userObjectID)
        #expect(source.keySetFetches == 2)
    }

    @Test("unknown ID token key stays rejected")
    func unknownKeyStaysRejected() async throws {
        _ = try await relyingParty.validateIDToken(try Self.idToken(nonce: "n-1", signer: TestKeys.signer), nonce: "n-1")
        clock.advance(by: 31)

        await #expect(throws: TokenRejection.self) {
            _ = try await relyingParty.validateIDToken(try Self.idToken(nonce: "n-2", signer: TestKeys.rotatedSigner), nonce: "n-2")
        }
        #expect(source.keySetFetches == 2)
    }
}
