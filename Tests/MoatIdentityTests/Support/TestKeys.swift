import Foundation
import MoatCrypto
import MoatJOSE
import MoatJSON

/// Signing keys and Entra-shaped claim sets shared by the identity tests.
/// RSA keys are generated once per test process because generation is slow.
enum TestKeys {
    static let tenantID = "1921488a-9834-4920-864a-44dfc001e2df"
    static let otherTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let issuer = "https://login.example.test/\(tenantID)/v2.0"
    /// Client id of the API that validates the tokens.
    static let apiClientID = "9ac2b0ec-fbc8-4ee2-991e-793f1344adab"
    /// Client id of the web application allowed to call the API.
    static let webClientID = "b1878b01-5e5c-4982-a6c3-6028279da626"
    static let userObjectID = "2afeed91-10d6-4063-932f-71f5c7146f3f"
    static let groupObjectID = "31d35284-3f47-4bf2-809b-10430a62c6df"
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static let signer = makeSigner(keyID: "key-1")
    /// The key the issuer rotates to; not published until a test serves it.
    static let rotatedSigner = makeSigner(keyID: "key-2")

    private static func makeSigner(keyID: String) -> JWTSigner {
        do {
            return try JWTSigner(privateKey: PrivateKey.generateRSA(bits: 2048), algorithm: .rs256, keyID: keyID)
        } catch {
            fatalError("RSA test key generation failed: \(error)")
        }
    }

    /// Claims of a delegated (user) access token issued at `now`, valid for one hour.
    static func delegatedClaims(now: Date = start) -> JSONObject {
        let issuedAt = Int64(now.timeIntervalSince1970)
        return [
            "aud": .string(apiClientID),
            "iss": .string(issuer),
            "iat": .integer(issuedAt),
            "nbf": .integer(issuedAt),
            "exp": .integer(issuedAt + 3600),
            "azp": .string(webClientID),
            "name": "Alice Martin",
            "oid": .string(userObjectID),
            "preferred_username": "alice@fabrikam.example",
            "roles": ["Reader", "Restricted.Reader"],
            "groups": .array([.string(groupObjectID)]),
            "scp": "Chat Files.Read",
            "sub": "pairwise-subject",
            "tid": .string(tenantID),
            "uti": "unique-token-id",
            "ver": "2.0",
        ]
    }

    /// Claims of an app-only access token: `idtyp: app`, application roles and no `scp`.
    static func appOnlyClaims(now: Date = start) -> JSONObject {
        var claims = delegatedClaims(now: now)
        claims["scp"] = nil
        claims["name"] = nil
        claims["preferred_username"] = nil
        claims["groups"] = nil
        claims["roles"] = ["Audit.Read.All"]
        claims["idtyp"] = "app"
        claims["oid"] = "64712303-d450-4bb2-9a19-7a9fc69afad6"
        claims["sub"] = "64712303-d450-4bb2-9a19-7a9fc69afad6"
        return claims
    }

    static func sign(_ claims: JSONObject, with signer: JWTSigner = signer) throws -> String {
        try signer.sign(claims: claims)
    }

    /// A token whose header names `keyID` and whose signature is garbage: the
    /// key lookup fails before any signature check, as with a flood of random `kid`s.
    static func unsignedToken(keyID: String) -> String {
        let header: JSONObject = ["alg": "RS256", "kid": .string(keyID), "typ": "JWT"]
        return Base64URL.encode(JSONValue.object(header).serialized()) + "."
            + Base64URL.encode(JSONValue.object(delegatedClaims()).serialized()) + "."
            + Base64URL.encode(Data(repeating: 1, count: 256))
    }
}
