import Foundation
import MoatCore
import MoatCrypto
import MoatJOSE
import MoatJSON

/// Builds and signs tokens shaped like Microsoft Entra ID v2.0 tokens.
///
/// Access tokens carry `aud` (the resource's client id), `iss` with the
/// tenant, `tid`, `oid`, a pairwise `sub`, `azp`, `name`,
/// `preferred_username`, `roles`, `groups`, `scp` (delegated) or
/// `idtyp: app` (app-only), `ver: 2.0` and a unique `uti`.
struct TokenMinter: Sendable {
    let signer: JWTSigner
    let directory: Directory
    /// Access and ID token lifetime in seconds. Default 3600, as Entra ID's default.
    let lifetime: TimeInterval

    func issuer(baseURL: String) -> String {
        "\(baseURL)/\(directory.tenant.id)/v2.0"
    }

    /// Entra ID's `sub` is pairwise: the same user has a different `sub` per application.
    func pairwiseSubject(objectID: String, clientID: String) -> String {
        Base64URL.encode(Digest.sha256(Data("\(objectID)|\(clientID)".utf8)))
    }

    private func timeClaims(now: Date) -> JSONObject {
        let issued = Int64(now.timeIntervalSince1970)
        return ["iat": .integer(issued), "nbf": .integer(issued), "exp": .integer(issued + Int64(lifetime))]
    }

    func delegatedAccessToken(
        user: Directory.User, client: Directory.App, resource: Directory.App, scopes: [String], issuer: String, now: Date
    ) throws -> String {
        var claims = timeClaims(now: now)
        claims["aud"] = .string(resource.clientID)
        claims["iss"] = .string(issuer)
        claims["azp"] = .string(client.clientID)
        claims["azpacr"] = .string(client.clientSecret == nil ? "0" : "1")
        claims["name"] = .string(user.displayName)
        claims["oid"] = .string(user.objectID)
        claims["preferred_username"] = .string(user.username)
        let roles = directory.roles(forUser: user, on: resource)
        if !roles.isEmpty { claims["roles"] = .array(roles.map { .string($0) }) }
        let groupIDs = user.groups.compactMap { directory.group(named: $0)?.objectID }
        if !groupIDs.isEmpty { claims["groups"] = .array(groupIDs.map { .string($0) }) }
        claims["scp"] = .string(scopes.joined(separator: " "))
        claims["sub"] = .string(pairwiseSubject(objectID: user.objectID, clientID: client.clientID))
        claims["tid"] = .string(directory.tenant.id)
        claims["uti"] = .string(SecureRandom.token(byteCount: 16))
        claims["ver"] = .string("2.0")
        claims["idtyp"] = .string("user")
        return try signer.sign(claims: claims)
    }

    func appOnlyAccessToken(client: Directory.App, resource: Directory.App, issuer: String, now: Date) throws -> String {
        var claims = timeClaims(now: now)
        claims["aud"] = .string(resource.clientID)
        claims["iss"] = .string(issuer)
        claims["azp"] = .string(client.clientID)
        claims["azpacr"] = .string("1")
        claims["idtyp"] = .string("app")
        claims["oid"] = .string(client.objectID)
        let roles = directory.roles(forApp: client, on: resource)
        if !roles.isEmpty { claims["roles"] = .array(roles.map { .string($0) }) }
        claims["sub"] = .string(client.objectID)
        claims["tid"] = .string(directory.tenant.id)
        claims["uti"] = .string(SecureRandom.token(byteCount: 16))
        claims["ver"] = .string("2.0")
        return try signer.sign(claims: claims)
    }

    func idToken(user: Directory.User, client: Directory.App, nonce: String?, issuer: String, now: Date) throws -> String {
        var claims = timeClaims(now: now)
        claims["aud"] = .string(client.clientID)
        claims["iss"] = .string(issuer)
        claims["name"] = .string(user.displayName)
        if let nonce { claims["nonce"] = .string(nonce) }
        claims["oid"] = .string(user.objectID)
        claims["preferred_username"] = .string(user.username)
        claims["sub"] = .string(pairwiseSubject(objectID: user.objectID, clientID: client.clientID))
        claims["tid"] = .string(directory.tenant.id)
        claims["ver"] = .string("2.0")
        return try signer.sign(claims: claims)
    }
}
