import Foundation
import MoatHTTP
import MoatIdentity
import MoatJOSE

/// The claims of a validated token that the web tier uses.
struct IDTokenClaims: Sendable, Equatable {
    var tenantID: String
    var objectID: String
    var name: String?
    var username: String?
    var roles: [String]
    var groups: [String]
    /// The sign-in session at the issuer (`sid`), when the token carries it.
    var sessionID: String?

    init(principal: Principal) {
        tenantID = principal.tenantID
        objectID = principal.objectID
        name = principal.name
        username = principal.username
        roles = principal.roles
        groups = principal.groups
        sessionID = nil
    }

    init(tenantID: String, objectID: String, name: String?, username: String?, roles: [String], groups: [String], sessionID: String?) {
        self.tenantID = tenantID
        self.objectID = objectID
        self.name = name
        self.username = username
        self.roles = roles
        self.groups = groups
        self.sessionID = sessionID
    }
}

extension AppServiceFrontDoor {
    /// Tokens older than this many seconds (from `iat`) are rejected, like the api's default maximum token age.
    static let maxIDTokenAge: TimeInterval = 86_400

    /// Tenants whose users are accepted: the allow-list, or else the tenant of an exact `…/<tenant>/v2.0` issuer.
    var acceptedTenants: [String] {
        if !configuration.allowedTenants.isEmpty { return configuration.allowedTenants }
        let components = configuration.issuer.split(separator: "/")
        guard components.count >= 2, components.last == "v2.0", !configuration.issuer.contains("{tenantid}") else { return [] }
        return [String(components[components.count - 2])]
    }

    /// Validates the forwarded ID token (OpenID Connect Core §3.1.3.7 without
    /// the nonce, which App Service checked when it redeemed the code).
    ///
    /// A token rejected only for its `exp` is validated again as of its last valid
    /// moment. When that passes, `expired` is true, and the caller rejects the request
    /// with `front_door_token_expired` after its remaining checks.
    func validateIDToken(_ token: String, request: HTTPRequest) async throws -> (claims: IDTokenClaims, expired: Bool) {
        let policy = JWTValidationPolicy(
            issuer: configuration.issuer, audiences: [configuration.clientID], allowedAlgorithms: [.rs256],
            leeway: configuration.leeway, maxTokenAge: Self.maxIDTokenAge, requiredClaims: ["iat", "sub", "tid", "oid"]
        )
        let verified: VerifiedJWT
        var expired = false
        do {
            verified = try await keys.verify(token, policy: policy, now: clock.now())
        } catch where Self.isExpiry(error) {
            guard let moment = Self.lastValidMoment(of: token) else { throw rejectToken(request, error, kind: "ID token") }
            do {
                verified = try await keys.verify(token, policy: policy, now: moment)
            } catch {
                throw rejectToken(request, error, kind: "ID token")
            }
            expired = true
        } catch {
            throw rejectToken(request, error, kind: "ID token")
        }
        if verified.audiences.count > 1, verified.string("azp") != configuration.clientID {
            throw reject(request, code: "front_door_token_invalid", "the forwarded ID token has several audiences and azp is not this app")
        }
        guard let tenantID = verified.string("tid"), let objectID = verified.string("oid"), !tenantID.isEmpty, !objectID.isEmpty else {
            throw reject(request, code: "front_door_token_invalid", "the forwarded ID token lacks a tid or oid string claim")
        }
        guard acceptedTenants.contains(tenantID) else {
            throw reject(request, code: "front_door_tenant_not_allowed", "tenant \(tenantID) is not allowed; add it to api.allowed_tenants")
        }
        let claims = IDTokenClaims(
            tenantID: tenantID, objectID: objectID, name: verified.string("name"), username: verified.string("preferred_username"),
            roles: verified.strings("roles"), groups: verified.strings("groups"), sessionID: verified.string("sid")
        )
        return (claims, expired)
    }
}
