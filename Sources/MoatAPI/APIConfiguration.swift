import Foundation
import MoatData
import MoatGuard
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
    /// Guardrail policies for the question, the retrieved passages and the answer.
    /// Default ``GuardPolicy/default`` for each, which blocks injection and redacts personal data and secrets.
    public var guardrails: GuardrailSettings

    public init(
        tokenPolicy: AccessTokenPolicy,
        chatScope: String = "Chat",
        chatRoles: [String] = ["Reader", "Contributor", "Admin"],
        auditUserRole: String = "Admin",
        auditAppRole: String = "Audit.Read.All",
        roleClearance: [String: Classification] = Self.defaultRoleClearance,
        passagesPerAnswer: Int = 5,
        maxQuestionLength: Int = 4000,
        guardrails: GuardrailSettings = GuardrailSettings()
    ) {
        self.tokenPolicy = tokenPolicy
        self.chatScope = chatScope
        self.chatRoles = chatRoles
        self.auditUserRole = auditUserRole
        self.auditAppRole = auditAppRole
        self.roleClearance = roleClearance
        self.passagesPerAnswer = passagesPerAnswer
        self.maxQuestionLength = maxQuestionLength
        self.guardrails = guardrails
    }

    public static let defaultRoleClearance: [String: Classification] = [
        "Reader": .confidential, "Contributor": .confidential, "Admin": .restricted, "Restricted.Reader": .restricted,
    ]

    /// The highest classification any of the principal's roles is cleared for, or nil when none is.
    func clearance(for principal: Principal) -> Classification? {
        principal.roles.compactMap { roleClearance[$0] }.max()
    }
}

/// The guardrail policies the api applies on every chat request.
public struct GuardrailSettings: Sendable {
    public var input: GuardPolicy
    public var retrieved: GuardPolicy
    public var output: GuardPolicy
    /// Lower-case hosts that links and images in answers may point to; `*.example.com` allows subdomains.
    /// Default: none, so every link and image is removed.
    public var allowedLinkHosts: Set<String>

    public init(input: GuardPolicy = .default, retrieved: GuardPolicy = .default, output: GuardPolicy = .default, allowedLinkHosts: Set<String> = []) {
        self.input = input
        self.retrieved = retrieved
        self.output = output
        self.allowedLinkHosts = allowedLinkHosts
    }
}
