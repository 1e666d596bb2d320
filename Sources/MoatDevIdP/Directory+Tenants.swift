extension Directory {
    /// The home tenant followed by the additional tenants.
    public var tenants: [Tenant] { [tenant] + additionalTenants }

    /// Returns the tenant with this id, or nil when the directory does not declare it.
    public func tenant(id: String) -> Tenant? {
        tenants.first { $0.id == id }
    }

    /// Returns the tenant `user` belongs to.
    public func tenant(of user: User) -> Tenant {
        user.tenantID.flatMap { tenant(id: $0) } ?? tenant
    }

    /// Returns the tenant `group` belongs to.
    public func tenant(of group: Group) -> Tenant {
        group.tenantID.flatMap { tenant(id: $0) } ?? tenant
    }
}

/// The authority named by the first path segment of an endpoint, as in Entra ID:
/// one tenant's id, or `organizations` for users of any tenant.
public enum SignInAuthority: Sendable, Hashable {
    case tenant(String)
    /// Any tenant of the directory; the discovery document's issuer is the
    /// `{tenantid}` template and each token carries its user's own tenant.
    case organizations

    /// The path segment, for example `organizations`.
    public var pathSegment: String {
        switch self {
        case .tenant(let id): id
        case .organizations: "organizations"
        }
    }

    /// Returns whether a user of `tenantID` may sign in at this authority.
    public func admits(tenantID: String) -> Bool {
        switch self {
        case .tenant(let id): id == tenantID
        case .organizations: true
        }
    }
}
