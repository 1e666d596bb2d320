import Foundation

/// The reader a search or lookup runs for, taken from a validated token.
public struct ReaderScope: Sendable {
    /// Stable user id (`tid:oid`); must not be empty.
    public var userID: String
    /// Group ids from the token's `groups` claim.
    public var groups: [String]
    /// Highest classification this reader, and the model the text goes to, may receive.
    public var clearance: Classification

    public init(userID: String, groups: [String], clearance: Classification) {
        self.userID = userID
        self.groups = groups
        self.clearance = clearance
    }

    func validate() throws {
        if userID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DataError(.invalidReaderScope, "the reader scope has an empty user id; build it from a validated token's tid and oid")
        }
    }

    /// Group ids without blanks or duplicates, sorted.
    var effectiveGroups: [String] {
        Array(Set(groups.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty })).sorted()
    }
}
