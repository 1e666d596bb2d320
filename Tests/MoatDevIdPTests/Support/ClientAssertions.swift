import Foundation
import MoatCrypto
import MoatDevIdP
import MoatHTTP
import MoatIdentity
import MoatJOSE
import MoatJSON

/// Builds client assertions (RFC 7523) for the test applications, with
/// every header and claim open to change so tests can break one rule at a time.
enum ClientAssertions {
    static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Signs raw header and claims; `algorithm` must fit `key`.
    static func sign(header: JSONObject, claims: JSONObject, key: PrivateKey, algorithm: SignatureAlgorithm) throws -> String {
        let signingInput = Base64URL.encode(JSONValue.object(header).serialized()) + "." + Base64URL.encode(JSONValue.object(claims).serialized())
        return signingInput + "." + Base64URL.encode(try key.sign(Data(signingInput.utf8), algorithm: algorithm))
    }

    /// RFC 7523 §3 claims for `clientID`, valid for ten minutes from `now`.
    static func claims(clientID: String, audience: String, now: Date, jti: String = SecureRandom.token(byteCount: 16)) -> JSONObject {
        let issuedAt = Int64(now.timeIntervalSince1970)
        return [
            "aud": .string(audience), "iss": .string(clientID), "sub": .string(clientID), "jti": .string(jti),
            "nbf": .integer(issuedAt), "iat": .integer(issuedAt), "exp": .integer(issuedAt + 600),
        ]
    }

    /// The header Entra ID expects for a certificate credential: `x5t#S256` and `typ`.
    static func certificateHeader(_ certificate: X509Certificate, algorithm: String = "PS256") -> JSONObject {
        ["alg": .string(algorithm), "typ": "JWT", "x5t#S256": .string(Base64URL.encode(certificate.sha256Thumbprint))]
    }
}

extension IdentityProviderHarness {
    var tokenEndpoint: String { Self.baseURL + tokenPath }

    var certificateClient: Directory.App { directory.app(clientID: TestDirectory.Credentials.certificateClientID)! }
    var keyClient: Directory.App { directory.app(clientID: TestDirectory.Credentials.keyClientID)! }

    /// A valid PS256 assertion from the certificate client, with `change` applied to its claims and `header` to its header.
    func certificateAssertion(
        claims change: (inout JSONObject) -> Void = { _ in }, header headerChange: (inout JSONObject) -> Void = { _ in },
        algorithm: SignatureAlgorithm = .rsaPSSSHA256
    ) throws -> String {
        let certificate = try TestDirectory.Credentials.certificate.get()
        var header = ClientAssertions.certificateHeader(certificate)
        headerChange(&header)
        var claims = ClientAssertions.claims(clientID: certificateClient.clientID, audience: tokenEndpoint, now: clock.now())
        change(&claims)
        return try ClientAssertions.sign(
            header: header, claims: claims, key: TestDirectory.Credentials.certificateKey.get(), algorithm: algorithm)
    }

    /// Posts a token request authenticated by `assertion`.
    func tokenWithAssertion(_ form: [(String, String)], assertion: String, clientID: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        var pairs = form + [("client_assertion_type", ClientAssertions.type), ("client_assertion", assertion)]
        if let clientID { pairs.append(("client_id", clientID)) }
        return await post(tokenPath, form: pairs, headers: headers)
    }
}

extension HTTPResponse {
    /// The `suberror` of a token endpoint error, the `suberror` parameter of
    /// an error redirect, or the `data-error-code` of an error page.
    var suberror: String? {
        if headers["Location"] != nil { return locationQuery["suberror"] }
        if let json = try? jsonObject() { return json["suberror"]?.stringValue }
        let marker = "data-error-code=\""
        guard let start = text.range(of: marker) else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
