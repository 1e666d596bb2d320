import MoatJSON

/// One accepted `iss` value: an exact string, or a multi-tenant template in
/// which `{tenantid}` stands for the token's own `tid` claim.
///
/// Microsoft Entra ID's `common` and `organizations` discovery documents
/// publish the issuer as `https://login.microsoftonline.com/{tenantid}/v2.0`.
/// A validator must substitute the token's `tid` and then compare exactly,
/// never skip the issuer check. A template alone accepts every tenant that
/// shares the signing keys, so callers pair it with a tenant allow-list.
public struct IssuerPattern: Sendable, Hashable, CustomStringConvertible {
    /// The placeholder Entra ID uses in multi-tenant discovery documents.
    public static let tenantPlaceholder = "{tenantid}"

    /// The claim whose value replaces ``tenantPlaceholder``.
    public static let tenantIDClaim: JSONMemberName = "tid"

    /// The issuer, or the template containing ``tenantPlaceholder`` exactly once.
    public let template: String

    /// True when the pattern contains `{tenantid}` and so depends on the token's `tid`.
    public let isTenantTemplate: Bool

    /// The template's text before and after its only placeholder; nil for an
    /// exact issuer and for a template with several placeholders, which matches nothing.
    private let templateParts: (prefix: String, suffix: String)?

    /// - Parameter template: an exact issuer, or one containing `{tenantid}` once.
    public init(_ template: String) {
        self.template = template
        self.isTenantTemplate = template.contains(Self.tenantPlaceholder)
        let parts = template.components(separatedBy: Self.tenantPlaceholder)
        self.templateParts = parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    public var description: String { template }

    /// Returns the issuer this pattern expects for a claim set, by
    /// ``expectedIssuer(tenantID:)`` with the claim set's `tid` when it is a string.
    public func expectedIssuer(for claims: JSONObject) -> String? {
        expectedIssuer(tenantID: claims["tid"]?.stringValue)
    }

    /// Returns the issuer this pattern expects for a token whose `tid` claim is `tenantID`.
    ///
    /// An exact pattern returns itself. A template returns itself with
    /// `{tenantid}` replaced by `tenantID`, or nil when the placeholder appears
    /// more than once, or `tenantID` is nil (absent or not a string) or not a
    /// GUID (8-4-4-4-12 hexadecimal digits). The GUID rule keeps a token from
    /// splicing `/` or other URL syntax into the expected issuer.
    public func expectedIssuer(tenantID: String?) -> String? {
        guard isTenantTemplate else { return template }
        guard let templateParts, let tenantID, Self.isGUID(tenantID) else { return nil }
        return templateParts.prefix + tenantID + templateParts.suffix
    }

    public static func == (lhs: IssuerPattern, rhs: IssuerPattern) -> Bool { lhs.template == rhs.template }

    public func hash(into hasher: inout Hasher) { hasher.combine(template) }

    /// Whether `text` has the 8-4-4-4-12 hexadecimal form of a GUID.
    public static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { group in group.allSatisfy(\.isHexDigit) }
    }
}
