import Foundation
import MoatCrypto
import MoatJOSE
import MoatJSON

/// Signs the short-lived assertion that names the caller to the upstream,
/// verifiable with the gateway's `/.auth/keys`.
///
/// The assertion is a JWT (`typ: moat-gateway+jwt`, ES256) with `iss` (the
/// gateway's public URL), `aud`, `iat`, `nbf`, `exp`, `jti`, `sub` and `oid`,
/// `tid`, `name`, `preferred_username`, `roles`, `groups`, `azp` for bearer
/// callers, `idp`, `sid` (a hash of the session id) and the request it was
/// issued for: `htm` (method) and `htu` (path and query), as in RFC 9449.
public struct GatewayAssertionSigner: Sendable {
    /// The header field that carries the assertion.
    public static let headerName = "X-Moat-Gateway-Assertion"
    /// The JOSE `typ` of the assertion, so it cannot pass for another kind of token.
    public static let tokenType = "moat-gateway+jwt"

    private let signer: JWTSigner
    private let key: PrivateKey
    /// The encoded JOSE header, the same for every assertion.
    private let encodedHeader: String
    public let issuer: String
    public let audience: String
    public let lifetime: TimeInterval

    /// - Parameters:
    ///   - key: a P-256 private key.
    ///   - lifetime: seconds the assertion is valid; default 60.
    public init(key: PrivateKey, issuer: String, audience: String, lifetime: TimeInterval = 60) throws {
        let thumbprint = Base64URL.encode(Digest.sha256(Data(key.publicKey.pemEncoded().utf8)).prefix(12))
        self.signer = try JWTSigner(privateKey: key, algorithm: .es256, keyID: "gw-" + thumbprint)
        self.key = key
        let header: JSONObject = ["alg": "ES256", "kid": .string("gw-" + thumbprint), "typ": .string(Self.tokenType)]
        self.encodedHeader = FastBase64URL.encode(JSONValue.object(header).serialized())
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
    }

    /// The public key set served at `/.auth/keys`.
    public var keySet: JSONWebKeySet {
        // One key with a unique kid cannot fail the duplicate check.
        try! JSONWebKeySet(keys: [signer.publicJWK])
    }

    /// Signs an assertion for `caller` and the request `method` `target`.
    func sign(_ caller: GatewayCaller, idp: String, method: String, target: String, now: Date) throws -> String {
        let issued = Int64(now.timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(issuer),
            "aud": .string(audience),
            "iat": .integer(issued),
            "nbf": .integer(issued),
            "exp": .integer(issued + Int64(lifetime)),
            "jti": .string(FastBase64URL.encode(SecureRandom.bytes(count: 16))),
            "sub": .string(caller.objectID),
            "oid": .string(caller.objectID),
            "tid": .string(caller.tenantID),
            "idp": .string(idp),
            "auth_typ": .string(caller.kind.rawValue),
            "htm": .string(method),
            "htu": .string(target),
        ]
        if let name = caller.name { claims["name"] = .string(name) }
        if let username = caller.username { claims["preferred_username"] = .string(username) }
        if let app = caller.clientAppID { claims["azp"] = .string(app) }
        if let sid = caller.sessionHash { claims["sid"] = .string(sid) }
        claims["roles"] = .array(caller.roles.map { .string($0) })
        claims["groups"] = .array(caller.groups.map { .string($0) })
        // The same steps as JWTSigner.sign, with the header encoded once and the faster encoder.
        let signingInput = encodedHeader + "." + FastBase64URL.encode(JSONValue.object(claims).serialized())
        let signature = try key.sign(Data(signingInput.utf8), algorithm: .ecdsaP256SHA256)
        return signingInput + "." + FastBase64URL.encode(signature)
    }
}
