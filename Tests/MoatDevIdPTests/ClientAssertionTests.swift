import Foundation
import MoatCrypto
import MoatDevIdP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

@Suite("Client assertions")
struct ClientAssertionTests {
    let harness: IdentityProviderHarness
    let clientCredentials: [(String, String)] = [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")]

    init() throws {
        harness = try IdentityProviderHarness()
    }

    @Test("certificate assertion with x5t#S256 gets a token")
    func certificateAssertionIsAccepted() async throws {
        let assertion = try harness.certificateAssertion()

        let response = await harness.tokenWithAssertion(clientCredentials, assertion: assertion, clientID: harness.certificateClient.clientID)

        #expect(response.status == 200)
        let claims = try unverifiedClaims(try #require(try response.jsonObject()["access_token"]?.stringValue))
        #expect(claims["azp"]?.stringValue == harness.certificateClient.clientID)
        #expect(claims["roles"] == ["Audit.Read.All"])
        // Entra ID sets azpacr to "2" for a client that authenticated with a certificate.
        #expect(claims["azpacr"] == "2")
    }

    @Test("RS256 certificate assertion with only the SHA-1 x5t is accepted")
    func legacyThumbprintIsAccepted() async throws {
        let certificate = try TestDirectory.Credentials.certificate.get()
        let assertion = try harness.certificateAssertion(header: { header in
            header = ["alg": "RS256", "typ": "JWT", "x5t": .string(Base64URL.encode(certificate.sha1Thumbprint))]
        }, algorithm: .rsaPKCS1v15SHA256)

        let response = await harness.tokenWithAssertion(clientCredentials, assertion: assertion, clientID: harness.certificateClient.clientID)

        #expect(response.status == 200)
    }

    @Test("x5c repeating the registered certificate is tolerated, as MSAL sends it")
    func registeredCertificateInX5CIsTolerated() async throws {
        let certificate = try TestDirectory.Credentials.certificate.get()
        let assertion = try harness.certificateAssertion(header: { $0["x5c"] = [.string(certificate.derEncoded.base64EncodedString())] })

        let response = await harness.tokenWithAssertion(clientCredentials, assertion: assertion, clientID: harness.certificateClient.clientID)

        #expect(response.status == 200)
    }

    @Test("assertion without client_id finds the client by sub")
    func clientFoundBySubject() async throws {
        let response = await harness.tokenWithAssertion(clientCredentials, assertion: try harness.certificateAssertion())

        #expect(response.status == 200)
    }

    @Test("JWK-registered EC key assertion with kid is accepted")
    func jwkCredentialIsAccepted() async throws {
        let claims = ClientAssertions.claims(clientID: harness.keyClient.clientID, audience: harness.tokenEndpoint, now: harness.clock.now())
        let assertion = try ClientAssertions.sign(
            header: ["alg": "ES256", "typ": "JWT", "kid": "key-client-1"], claims: claims,
            key: TestDirectory.Credentials.ecKey.get(), algorithm: .ecdsaP256SHA256)

        let response = await harness.tokenWithAssertion(
            [("grant_type", "client_credentials"), ("scope", "api://moat-api/.default")], assertion: assertion)

        #expect(response.status == 200)
    }

    @Test("client with key credentials cannot authenticate without an assertion")
    func keyClientNeedsAssertion() async throws {
        let response = await harness.post(harness.tokenPath, form: clientCredentials + [("client_id", harness.keyClient.clientID)])

        #expect(response.status == 401)
        #expect(response.suberror == "client_assertion_required")
    }
}
