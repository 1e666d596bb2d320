import Foundation

/// Who may read a document: every signed-in user, members of groups, or named users.
///
/// Group names and user ids are compared exactly (case-sensitive), as the
/// identity provider issues them. User ids are stable ids such as `tid:oid`.
public struct AccessList: Sendable, Equatable, Codable {
    public var everyoneAuthenticated: Bool
    public var groups: [String]
    public var users: [String]

    /// An empty list grants nobody; ingestion rejects it with `invalid_access_list`.
    public init(everyoneAuthenticated: Bool = false, groups: [String] = [], users: [String] = []) {
        self.everyoneAuthenticated = everyoneAuthenticated
        self.groups = groups
        self.users = users
    }

    /// Sorted, without duplicates, so that equal grants compare equal.
    public var normalized: AccessList {
        AccessList(
            everyoneAuthenticated: everyoneAuthenticated,
            groups: Array(Set(groups)).sorted(),
            users: Array(Set(users)).sorted()
        )
    }

    /// Checks that the list grants someone and names no empty or blank principal.
    /// - Parameter path: the document's relative path, quoted in the error.
    public func validate(forPath path: String) throws {
        if !everyoneAuthenticated && groups.isEmpty && users.isEmpty {
            throw DataError(
                .invalidAccessList,
                "the access list of \(path) grants nobody; set everyoneAuthenticated or list at least one group or user"
            )
        }
        for group in groups where group.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DataError(.invalidAccessList, "the access list of \(path) contains an empty group name; remove it")
        }
        for user in users where user.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DataError(.invalidAccessList, "the access list of \(path) contains an empty user id; remove it")
        }
    }
}
