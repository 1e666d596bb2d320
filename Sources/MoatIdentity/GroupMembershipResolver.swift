/// Looks up a user's group memberships when an access token carries a group
/// overage indicator instead of the `groups` claim.
public protocol GroupMembershipResolver: Sendable {
    /// Returns the object ids of every group the user is a member of,
    /// directly or transitively.
    ///
    /// - Throws: any error when the directory cannot be reached or refuses the
    ///   lookup; the validator then rejects the token with `group_resolution_failed`.
    func groupObjectIDs(tenantID: String, objectID: String) async throws -> [String]
}
