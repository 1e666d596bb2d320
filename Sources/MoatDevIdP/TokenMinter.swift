import Foundation
import MoatCore
import MoatCrypto
import MoatJOSE
import MoatJSON

/// Builds and signs tokens shaped like Microsoft Entra ID tokens.
///
/// v2.0 access tokens carry `aud` (the resource's client id), `iss` with the
/// tenant, `tid`, `oid`, a pairwise `sub`, `azp`, `name`,
/// `preferred_username`, `roles`, `groups`, `scp` (delegated) or
/// `idtyp: app` (app-only), `ver: 2.0` and a unique `uti`. For a resource
/// registered with access token version 1 they carry the v1.0 shape instead:
/// `aud` is the App ID URI, `iss` is `{base}/{tid}/`, the caller is in
/// `appid` and the user name in `upn`, and `ver` is `1.0`.
///
/// Tokens for a user carry the user's own tenant in `tid` and `iss`;
/// app-only tokens carry the home tenant.
///
/// A user in more groups than the tenant's overage limit gets `_claim_names`
/// and `_claim_sources` pointing at `getMemberObjects` instead of `groups`.
struct TokenMinter: Sendable {
    let keys: SigningKeyRing
    let directory: Directory
    /// Access and ID token lifetime in seconds. Default 3600, as Entra ID's default.
    let lifetime: TimeInterval

    /// Returns the v2.0 issuer of a tenant, by default of the home tenant.
    func issuer(baseURL: String, tenantID: String? = nil) -> String {
        "\(baseURL)/\(tenantID ?? directory.tenant.id)/v2.0"
    }

    /// The v1.0 issuer: Entra ID's `https://sts.windows.net/{tid}/` shape at this provider's address.
    func v1Issuer(baseURL: String, tenantID: String? = nil) -> String {
        "\(baseURL)/\(tenantID ?? directory.tenant.id)/"
    }

    /// Entra ID's `sub` is pairwise: the same user has a different `sub` per application.
    func pairwiseSubject(objectID: String, clientID: String) -> String {
        Base64URL.encode(Digest.sha256(Data("\(objectID)|\(clientID)".utf8)))
    }

    private func timeClaims(now: Date) -> JSONObject {
        let issued = Int64(now.timeIntervalSince1970)
        return ["iat": .integer(issued), "nbf": .integer(issued), "exp": .integer(issued + Int64(lifetime))]
    }

    /// `aud`, `iss`, `ver` and the caller claim for an access token to `resource`
    /// requested by `client`, issued by the tenant `tenantID`.
    private func envelope(client: Directory.App, resource: Directory.App, tenantID: String, baseURL: String, now: Date) -> JSONObject {
        var claims = timeClaims(now: now)
        if resource.accessTokenVersion == 1 {
            claims["aud"] = .string(resource.identifierURI ?? resource.clientID)
            claims["iss"] = .string(v1Issuer(baseURL: baseURL, tenantID: tenantID))
            claims["appid"] = .string(client.clientID)
            claims["appidacr"] = .string(client.authenticationClassReference)
            claims["ver"] = "1.0"
        } else {
            claims["aud"] = .string(resource.clientID)
            claims["iss"] = .string(issuer(baseURL: baseURL, tenantID: tenantID))
            claims["azp"] = .string(client.clientID)
            claims["azpacr"] = .string(client.authenticationClassReference)
            claims["ver"] = "2.0"
        }
        claims["tid"] = .string(tenantID)
        claims["uti"] = .string(SecureRandom.token(byteCount: 16))
        return claims
    }

    func delegatedAccessToken(
        user: Directory.User, client: Directory.App, resource: Directory.App, scopes: [String], baseURL: String, now: Date
    ) throws -> String {
        let tenantID = directory.tenant(of: user).id
        var claims = envelope(client: client, resource: resource, tenantID: tenantID, baseURL: baseURL, now: now)
        claims["name"] = .string(user.displayName)
        claims["oid"] = .string(user.objectID)
        if resource.accessTokenVersion == 1 {
            claims["upn"] = .string(user.username)
            claims["unique_name"] = .string(user.username)
        } else {
            claims["preferred_username"] = .string(user.username)
        }
        let roles = directory.roles(forUser: user, on: resource)
        if !roles.isEmpty { claims["roles"] = .array(roles.map { .string($0) }) }
        addGroups(of: user, to: &claims, baseURL: baseURL)
        claims["scp"] = .string(scopes.joined(separator: " "))
        claims["sub"] = .string(pairwiseSubject(objectID: user.objectID, clientID: client.clientID))
        claims["idtyp"] = "user"
        return try keys.current.sign(claims: claims)
    }

    func appOnlyAccessToken(client: Directory.App, resource: Directory.App, baseURL: String, now: Date) throws -> String {
        var claims = envelope(client: client, resource: resource, tenantID: directory.tenant.id, baseURL: baseURL, now: now)
        claims["idtyp"] = "app"
        claims["oid"] = .string(client.objectID)
        let roles = directory.roles(forApp: client, on: resource)
        if !roles.isEmpty { claims["roles"] = .array(roles.map { .string($0) }) }
        claims["sub"] = .string(client.objectID)
        return try keys.current.sign(claims: claims)
    }

    func idToken(user: Directory.User, client: Directory.App, nonce: String?, baseURL: String, now: Date) throws -> String {
        let tenantID = directory.tenant(of: user).id
        var claims = timeClaims(now: now)
        claims["aud"] = .string(client.clientID)
        claims["iss"] = .string(issuer(baseURL: baseURL, tenantID: tenantID))
        claims["name"] = .string(user.displayName)
        if let nonce { claims["nonce"] = .string(nonce) }
        claims["oid"] = .string(user.objectID)
        claims["preferred_username"] = .string(user.username)
        claims["sub"] = .string(pairwiseSubject(objectID: user.objectID, clientID: client.clientID))
        claims["tid"] = .string(tenantID)
        claims["ver"] = .string("2.0")
        return try keys.current.sign(claims: claims)
    }

    /// The user's group object ids as `groups`, or the overage claims when they exceed the tenant's limit.
    private func addGroups(of user: Directory.User, to claims: inout JSONObject, baseURL: String) {
        let groupIDs = directory.groupObjectIDs(of: user)
        guard groupIDs.count <= directory.tenant(of: user).groupOverageLimit else {
            let endpoint = "\(baseURL)/v1.0/users/\(user.objectID)/getMemberObjects"
            claims["_claim_names"] = ["groups": "src1"]
            claims["_claim_sources"] = ["src1": ["endpoint": .string(endpoint)]]
            return
        }
        if !groupIDs.isEmpty { claims["groups"] = .array(groupIDs.map { .string($0) }) }
    }
}
