import Foundation
import MoatConfig
import MoatTOML

/// A directory file that cannot be used, with the entry at fault.
public struct DirectoryError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension Directory {
    /// Loads a directory file (TOML). See `Sources/MoatLauncher/Demo/directory.toml` for the format.
    public static func load(contentsOf url: URL) throws -> Directory {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DirectoryError("cannot read directory file \(url.path): \(error.localizedDescription)")
        }
        do {
            return try parse(text)
        } catch let error as TOMLError {
            throw DirectoryError("directory file \(url.path): \(error)")
        } catch let error as DirectoryError {
            throw DirectoryError("directory file \(url.path): \(error.reason)")
        } catch let error as ConfigurationError {
            throw DirectoryError("directory file \(url.path): \(error.reason)")
        }
    }

    /// Parses and validates a directory from TOML text.
    public static func parse(_ text: String) throws -> Directory {
        let root = try TOMLParser.parse(text)
        // Unknown keys are errors everywhere, so a misspelt setting never falls back to its default.
        let reader = TOMLReader(table: root)
        try reader.rejectUnknownKeys(["tenant", "tenants", "groups", "users", "apps", "assignments"])
        let tenant = try parseTenant(try reader.table("tenant"))
        let additionalTenants = try reader.tables("tenants").map(parseTenant)

        let groups = try reader.tables("groups").map { entry in
            try entry.rejectUnknownKeys(["name", "id", "tenant"])
            return Group(name: try entry.string("name"), objectID: try entry.guid("id"), tenantID: try entry.optionalString("tenant"))
        }
        let users = try reader.tables("users").map { entry in
            try entry.rejectUnknownKeys(["name", "id", "display_name", "username", "password", "groups", "tenant"])
            return User(
                name: try entry.string("name"),
                objectID: try entry.guid("id"),
                displayName: try entry.string("display_name"),
                username: try entry.string("username"),
                password: try entry.string("password"),
                groups: try entry.strings("groups", default: []),
                tenantID: try entry.optionalString("tenant")
            )
        }
        let apps = try reader.tables("apps").map { entry in
            try entry.rejectUnknownKeys([
                "name", "client_id", "object_id", "client_secret", "redirect_uris", "post_logout_redirect_uris",
                "identifier_uri", "scopes", "roles", "credentials", "access_token_version",
            ])
            return App(
                name: try entry.string("name"),
                clientID: try entry.guid("client_id"),
                objectID: try entry.guid("object_id"),
                clientSecret: try entry.optionalString("client_secret"),
                redirectURIs: try entry.strings("redirect_uris", default: []),
                postLogoutRedirectURIs: try entry.strings("post_logout_redirect_uris", default: []),
                identifierURI: try entry.optionalString("identifier_uri"),
                scopes: try entry.strings("scopes", default: []),
                roles: try entry.tables("roles").map { role in
                    try role.rejectUnknownKeys(["value", "member_types"])
                    return AppRole(
                        value: try role.string("value"),
                        memberTypes: try role.strings("member_types", default: ["User"]).map { type in
                            guard let memberType = AppRole.MemberType(rawValue: type) else {
                                throw DirectoryError("\(role.path).member_types: \"\(type)\" is not User or Application")
                            }
                            return memberType
                        }
                    )
                },
                credentials: try entry.tables("credentials").map(KeyCredential.parse),
                accessTokenVersion: Int(try entry.optionalInteger("access_token_version", range: 1...2) ?? 2)
            )
        }
        let assignments = try reader.tables("assignments").map { entry in
            try entry.rejectUnknownKeys(["app", "role", "principal"])
            return Assignment(app: try entry.string("app"), role: try entry.string("role"), principal: try entry.string("principal"))
        }
        var directory = Directory(tenant: tenant, groups: groups, users: users, apps: apps, assignments: assignments)
        directory.additionalTenants = additionalTenants
        try directory.validate()
        return directory
    }

    /// Reads `[tenant]` or one `[[tenants]]` entry.
    private static func parseTenant(_ table: TOMLReader) throws -> Tenant {
        try table.rejectUnknownKeys(["id", "name", "group_overage_limit"])
        var tenant = Tenant(id: try table.guid("id"), name: try table.string("name"))
        if let limit = try table.optionalInteger("group_overage_limit", range: 0...100_000) {
            tenant.groupOverageLimit = Int(limit)
        }
        return tenant
    }

    /// Checks references and uniqueness, naming the first entry at fault.
    public func validate() throws {
        try requireUnique(tenants.map { $0.id.lowercased() }, what: "tenant id")
        for user in users {
            if let tenantID = user.tenantID, tenant(id: tenantID) == nil {
                throw DirectoryError("user \(user.name) belongs to tenant \(tenantID), which is not defined; add it under [[tenants]]")
            }
        }
        for group in groups {
            if let tenantID = group.tenantID, tenant(id: tenantID) == nil {
                throw DirectoryError("group \(group.name) belongs to tenant \(tenantID), which is not defined; add it under [[tenants]]")
            }
        }
        try requireUnique(groups.map(\.name), what: "group name")
        try requireUnique(users.map(\.name), what: "user name")
        try requireUnique(apps.map(\.name), what: "app name")
        try requireUnique(apps.map(\.clientID), what: "app client_id")
        try requireUnique(groups.map(\.objectID) + users.map(\.objectID) + apps.map(\.objectID), what: "object id")
        for user in users {
            for name in user.groups {
                guard let group = group(named: name) else {
                    throw DirectoryError("user \(user.name) is in group \"\(name)\", which is not defined; add it under [[groups]]")
                }
                try requireSameTenant(user: user, group: group)
            }
        }
        for assignment in assignments {
            guard let app = app(named: assignment.app) else {
                throw DirectoryError("assignment names app \"\(assignment.app)\", which is not defined")
            }
            guard app.roles.contains(where: { $0.value == assignment.role }) else {
                throw DirectoryError("assignment names role \"\(assignment.role)\", which app \(app.name) does not define")
            }
            let parts = assignment.principal.split(separator: ":", maxSplits: 1).map(String.init)
            let known: Bool
            switch parts.first {
            case "user": known = parts.count == 2 && users.contains { $0.name == parts[1] }
            case "group": known = parts.count == 2 && group(named: parts[1]) != nil
            case "app": known = parts.count == 2 && self.app(named: parts[1]) != nil
            default: known = false
            }
            guard known else {
                throw DirectoryError(
                    "assignment principal \"\(assignment.principal)\" is not user:NAME, group:NAME or app:NAME of a defined entry"
                )
            }
        }
    }

    /// Rejects a membership across tenants. In Entra ID a group's members are
    /// objects of the group's own tenant, and here the user would also get the
    /// app roles assigned to that group.
    private func requireSameTenant(user: User, group: Group) throws {
        let userTenant = tenant(of: user)
        let groupTenant = tenant(of: group)
        guard userTenant.id != groupTenant.id else { return }
        throw DirectoryError(
            "user \(user.name) of tenant \(userTenant.id) (\(userTenant.name)) is in group \"\(group.name)\" of tenant "
                + "\(groupTenant.id) (\(groupTenant.name)); remove the group from the user's groups, "
                + "or set the same tenant on the user and the group"
        )
    }

    private func requireUnique(_ values: [String], what: String) throws {
        var seen = Set<String>()
        for value in values where !seen.insert(value).inserted {
            throw DirectoryError("\(what) \"\(value)\" is defined twice")
        }
    }
}
