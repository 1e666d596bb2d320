import Foundation

/// The users, groups, applications and app-role assignments that `moat idp`
/// signs in and issues tokens for, loaded from a directory file.
public struct Directory: Sendable {
    public struct Tenant: Sendable {
        public var id: String
        public var name: String
        /// Most groups a token lists; above it, access and ID tokens carry a
        /// group overage (`_claim_names` and `_claim_sources`) instead of `groups`.
        /// Default 200, Entra ID's limit for JWTs.
        public var groupOverageLimit: Int = 200
    }

    public struct Group: Sendable {
        public var name: String
        public var objectID: String
        /// Id of the tenant the group belongs to; nil means the directory's home ``Directory/tenant``.
        public var tenantID: String? = nil
    }

    public struct User: Sendable {
        /// Short sign-in name, for example `alice`; `username` is also accepted at the login page.
        public var name: String
        public var objectID: String
        public var displayName: String
        /// `preferred_username`, for example `alice@fabrikam.example`.
        public var username: String
        /// Development-only password; the dev IdP is not a production identity store.
        public var password: String
        /// Group names.
        public var groups: [String]
        /// Id of the tenant the user belongs to; nil means the directory's home ``Directory/tenant``.
        public var tenantID: String? = nil
    }

    public struct AppRole: Sendable {
        public enum MemberType: String, Sendable {
            case user = "User"
            case application = "Application"
        }

        public var value: String
        public var memberTypes: [MemberType]
    }

    public struct App: Sendable {
        public var name: String
        public var clientID: String
        /// Object id of the application's service principal: the `oid` of its app-only tokens.
        public var objectID: String
        /// Client secret; nil for a public client.
        public var clientSecret: String?
        public var redirectURIs: [String]
        public var postLogoutRedirectURIs: [String]
        /// App ID URI, for example `api://moat-api`.
        public var identifierURI: String?
        /// Delegated scopes the application exposes, for example `Chat`.
        public var scopes: [String]
        public var roles: [AppRole]
        /// Keys and certificates the application may sign client assertions with.
        public var credentials: [KeyCredential] = []
        /// Format of access tokens issued for this application as a resource:
        /// 2 (default) or 1, as the `accessTokenAcceptedVersion` of an Entra ID app manifest.
        public var accessTokenVersion: Int = 2

        /// The client authentication method of the token request being
        /// handled, or nil outside a token request.
        public var authenticatedWith: ClientAuthenticationMethod? = nil

        /// A confidential client has a secret or a key credential; others are public clients.
        public var isConfidential: Bool { clientSecret != nil || !credentials.isEmpty }

        /// The `azpacr` and `appidacr` value (Entra ID access token claims): "0" for a
        /// public client, "1" for a client secret, "2" for a certificate or key.
        /// Without a token request, a client with a secret counts as using it.
        var authenticationClassReference: String {
            switch authenticatedWith {
            case .secret?: return "1"
            case .assertion?: return "2"
            case .none?: return "0"
            case nil: return clientSecret != nil ? "1" : (credentials.isEmpty ? "0" : "2")
            }
        }
    }

    /// The ways a client authenticates at the token endpoint.
    public enum ClientAuthenticationMethod: Sendable {
        /// A public client: only `client_id`.
        case none
        /// A client secret, in HTTP Basic or the body.
        case secret
        /// A signed client assertion (RFC 7523), made with a certificate or key credential.
        case assertion
    }

    /// One app-role grant: `principal` is `user:NAME`, `group:NAME` or `app:NAME`.
    public struct Assignment: Sendable {
        public var app: String
        public var role: String
        public var principal: String
    }

    /// The home tenant: the one whose issuer single-tenant clients use, and
    /// the tenant of applications, groups and users that name no other.
    public var tenant: Tenant
    /// Further tenants whose users sign in at their own `/{tenant id}/v2.0`
    /// authority or at the `organizations` authority. Default empty.
    public var additionalTenants: [Tenant] = []
    public var groups: [Group]
    public var users: [User]
    public var apps: [App]
    public var assignments: [Assignment]

    public init(tenant: Tenant, groups: [Group], users: [User], apps: [App], assignments: [Assignment]) {
        self.tenant = tenant
        self.groups = groups
        self.users = users
        self.apps = apps
        self.assignments = assignments
    }

    public func app(clientID: String) -> App? { apps.first { $0.clientID == clientID } }
    public func app(named name: String) -> App? { apps.first { $0.name == name } }
    public func group(named name: String) -> Group? { groups.first { $0.name == name } }

    /// Finds a user by short name or `preferred_username`, case-insensitively.
    public func user(signInName: String) -> User? {
        let wanted = signInName.lowercased()
        return users.first { $0.name.lowercased() == wanted || $0.username.lowercased() == wanted }
    }

    public func user(objectID: String) -> User? { users.first { $0.objectID == objectID } }

    /// Microsoft Graph's well-known application id; a directory app with this
    /// client id stands for Graph, whose `getMemberObjects` the provider serves.
    public static let graphClientID = "00000003-0000-0000-c000-000000000000"

    /// The application standing for Microsoft Graph, when the directory registers one.
    public var graphApp: App? { app(clientID: Self.graphClientID) }

    /// The application that a scope string such as `api://moat-api/Chat` or `<client id>/.default` refers to.
    public func resourceApp(forScope scope: String) -> (app: App, scope: String)? {
        guard let slash = scope.lastIndex(of: "/") else { return nil }
        let resource = String(scope[..<slash])
        let name = String(scope[scope.index(after: slash)...])
        guard let app = apps.first(where: { $0.identifierURI == resource || $0.clientID == resource }) else { return nil }
        return (app, name)
    }

    /// Object ids of the groups `user` is a member of, in directory order.
    public func groupObjectIDs(of user: User) -> [String] {
        user.groups.compactMap { group(named: $0)?.objectID }
    }

    /// App roles of `resource` granted to a user directly or through one of their groups.
    public func roles(forUser user: User, on resource: App) -> [String] {
        let principals = Set(["user:\(user.name)"] + user.groups.map { "group:\($0)" })
        return grantedRoles(on: resource, principals: principals, memberType: .user)
    }

    /// App roles of `resource` granted to the application `client` (application permissions).
    public func roles(forApp client: App, on resource: App) -> [String] {
        grantedRoles(on: resource, principals: ["app:\(client.name)"], memberType: .application)
    }

    private func grantedRoles(on resource: App, principals: Set<String>, memberType: AppRole.MemberType) -> [String] {
        let allowed = Set(resource.roles.filter { $0.memberTypes.contains(memberType) }.map(\.value))
        var roles: [String] = []
        for assignment in assignments where assignment.app == resource.name && principals.contains(assignment.principal) {
            if allowed.contains(assignment.role), !roles.contains(assignment.role) {
                roles.append(assignment.role)
            }
        }
        return roles.sorted()
    }
}
