import Foundation
import MoatData
import MoatIdentity

/// Settings of `moat api`.
public struct APIConfiguration: Sendable {
    /// How bearer tokens are validated.
    public var tokenPolicy: AccessTokenPolicy
    /// Delegated scope a user token needs to chat. Default `Chat`.
    public var chatScope: String
    /// App roles that may chat. Default Reader, Contributor, Admin.
    public var chatRoles: [String]
    /// App roles that may read the audit log: `Admin` for users, `Audit.Read.All` for applications.
    public var auditUserRole: String
    public var auditAppRole: String
    /// Highest classification each app role is cleared for; a user's clearance is the highest of their roles'.
    /// Default: Reader and Contributor `confidential`, Admin and Restricted.Reader `restricted`.
    public var roleClearance: [String: Classification]
    /// Number of passages retrieved per question. Default 5.
    public var passagesPerAnswer: Int
    /// Maximum question length in characters. Default 4000.
    public var maxQuestionLength: Int

    public init(
        tokenPolicy: AccessTokenPolicy,
        chatScope: String = "Chat",
        chatRoles: [String] = ["Reader", "Contributor", "Admin"],
        auditUserRole: String = "Admin",
        auditAppRole: String = "Audit.Read.All",
        roleClearance: [String: Classification] = Self.defaultRoleClearance,
        passagesPerAnswer: Int = 5,
        maxQuestionLength: Int = 4000
    ) {
        self.tokenPolicy = tokenPolicy
        self.chatScope = chatScope
        self.chatRoles = chatRoles
        self.auditUserRole = auditUserRole
        self.auditAppRole = auditAppRole
        self.roleClearance = roleClearance
        self.passagesPerAnswer = passagesPerAnswer
        self.maxQuestionLength = maxQuestionLength
    }

    public static let defaultRoleClearance: [String: Classification] = [
        "Reader": .confidential, "Contributor": .confidential, "Admin": .restricted, "Restricted.Reader": .restricted,
    ]

    /// The highest classification any of the principal's roles is cleared for, or nil when none is.
    func clearance(for principal: Principal) -> Classification? {
        principal.roles.compactMap { roleClearance[$0] }.max()
    }
}
