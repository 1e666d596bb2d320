import Foundation

/// The caller behind a validated access token: who it is and what it was granted.
///
/// Users are identified by the pair (`tid`, `oid`), never by e-mail or user
/// name, because those claims are mutable and, in Entra ID, not verified.
public struct Principal: Sendable, Equatable, Codable {
    /// Whether the token was issued to a user (delegated) or to an application acting as itself.
    public enum Kind: String, Sendable, Codable {
        case user
        case application
    }

    public var kind: Kind
    /// Tenant id (`tid`).
    public var tenantID: String
    /// Object id (`oid`) of the user or of the application's service principal.
    public var objectID: String
    /// Display name (`name`); informational only.
    public var name: String?
    /// Sign-in name (`preferred_username`); informational only, never an identifier.
    public var username: String?
    /// Client id of the calling application (`azp` in v2 tokens, `appid` in v1).
    public var clientAppID: String?
    /// App roles granted to the caller (`roles`), compared case-sensitively.
    public var roles: [String]
    /// Group object ids (`groups`).
    public var groups: [String]
    /// Delegated scopes (`scp`, space-separated in the token).
    public var scopes: [String]

    public init(
        kind: Kind, tenantID: String, objectID: String, name: String? = nil, username: String? = nil,
        clientAppID: String? = nil, roles: [String] = [], groups: [String] = [], scopes: [String] = []
    ) {
        self.kind = kind
        self.tenantID = tenantID
        self.objectID = objectID
        self.name = name
        self.username = username
        self.clientAppID = clientAppID
        self.roles = roles
        self.groups = groups
        self.scopes = scopes
    }

    /// Stable identifier used for ownership and access lists: `tid:oid`.
    public var userID: String { "\(tenantID):\(objectID)" }

    public func hasRole(_ role: String) -> Bool { roles.contains(role) }
    public func hasScope(_ scope: String) -> Bool { scopes.contains(scope) }
}
