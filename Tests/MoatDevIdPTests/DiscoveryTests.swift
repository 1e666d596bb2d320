import Foundation
import MoatCore
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON
import Testing

@Suite("Discovery and JWKS")
struct DiscoveryTests {
    let harness: IdentityProviderHarness

    init() throws {
        harness = try IdentityProviderHarness()
    }

    private func discoveryDocument() async throws -> JSONObject {
        let response = await harness.get("/\(harness.tenantID)/v2.0/.well-known/openid-configuration")
        #expect(response.status == 200)
        return try response.jsonObject()
    }

    @Test("issuer is the tenant's v2.0 URL")
    func issuerIsTenantURL() async throws {
        let document = try await discoveryDocument()

        #expect(document["issuer"]?.stringValue == harness.issuer)
        #expect(harness.provider.issuer == harness.issuer)
    }

    @Test("discovery lists the endpoints under the tenant")
    func endpointsAreUnderTenant() async throws {
        let document = try await discoveryDocument()
        let base = IdentityProviderHarness.baseURL + "/" + harness.tenantID

        #expect(document["authorization_endpoint"]?.stringValue == base + "/oauth2/v2.0/authorize")
        #expect(document["token_endpoint"]?.stringValue == base + "/oauth2/v2.0/token")
        #expect(document["jwks_uri"]?.stringValue == base + "/discovery/v2.0/keys")
        #expect(document["end_session_endpoint"]?.stringValue == base + "/oauth2/v2.0/logout")
    }

    @Test("discovery advertises only the supported flows")
    func onlySupportedFlowsAreAdvertised() async throws {
        let document = try await discoveryDocument()

        #expect(document["response_types_supported"] == ["code"])
        #expect(document["grant_types_supported"] == [
            "authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ])
        #expect(document["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post", "private_key_jwt"])
        #expect(document["code_challenge_methods_supported"] == ["S256"])
        #expect(document["id_token_signing_alg_values_supported"] == ["RS256"])
        #expect(document["authorization_response_iss_parameter_supported"] == true)
    }

    @Test("discovery document decodes as provider metadata")
    func documentDecodesAsMetadata() async throws {
        let response = await harness.get("/\(harness.tenantID)/v2.0/.well-known/openid-configuration")

        let metadata = try JSONDecoder().decode(OIDCProviderMetadata.self, from: response.body)

        #expect(metadata.issuer == harness.issuer)
        #expect(metadata.codeChallengeMethodsSupported == ["S256"])
    }

    @Test("JWKS contains no private key members")
    func keySetHasNoPrivateMembers() async throws {
        let response = await harness.get("/\(harness.tenantID)/discovery/v2.0/keys")
        #expect(response.status == 200)
        let keys = try #require(try response.jsonObject()["keys"]?.arrayValue)
        #expect(keys.count == 1)

        for key in keys {
            let members = try #require(key.objectValue).keys
            for privateMember in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
                #expect(!members.contains(privateMember), "JWKS key has private member \(privateMember)")
            }
            #expect(key["kty"] == "RSA")
            #expect(key["use"] == "sig")
            #expect(key["alg"] == "RS256")
        }
    }

    @Test("JWKS imports as a verification key set")
    func keySetImports() async throws {
        let response = await harness.get("/\(harness.tenantID)/discovery/v2.0/keys")

        let keySet = try JSONWebKeySet(data: response.body)

        #expect(keySet.skippedKeys.isEmpty)
        #expect(keySet.keys.map(\.keyID) == [try TestDirectory.signer.get().keyID])
    }

    @Test("endpoints of another tenant are not found")
    func otherTenantIsNotFound() async {
        let response = await harness.get("/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration")

        #expect(response.status == 404)
    }
}
