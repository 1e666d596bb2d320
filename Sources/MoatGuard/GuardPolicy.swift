/// Which action each rule takes, which values each rule lets through, and
/// which roles may see personal data.
///
/// A plain value so that it can be loaded from TOML or built in code.
/// ``default`` fails closed:
/// - every rule without an entry in ``actions`` takes ``fallbackAction``,
///   which is ``GuardAction/block``;
/// - injection, tag-character smuggling, encoded instructions, the canary,
///   toxic answers and failing external classifiers block;
/// - personal data, secrets, zero-width and bidi characters, unsafe links,
///   images and citations of documents not retrieved are redacted;
/// - homoglyph words are flagged, since the injection rules already read
///   the text with look-alikes folded.
public struct GuardPolicy: Sendable {
    /// The action per rule id (see ``GuardRuleID``).
    public var actions: [String: GuardAction]
    /// The action of a rule missing from ``actions``. Default: block.
    public var fallbackAction: GuardAction
    /// The lowest score at which a rule reports a verdict, per rule id.
    public var minimumScores: [String: Double]
    /// The lowest score for rules missing from ``minimumScores``. Default 0.5.
    public var defaultMinimumScore: Double
    /// Values a rule lets through, per rule id, compared case-insensitively
    /// with the whole matched text: for example a support address for
    /// `pii.email`, or a host name for `output.link` and `output.image`.
    public var allowLists: [String: Set<String>]
    /// Roles that may see personal data (`pii.*` rules) unredacted in
    /// answers; for them a `redact` on those rules becomes `flag`. Secrets
    /// are never shown. Default: none.
    public var rolesSeeingPersonalData: Set<String>

    public init(
        actions: [String: GuardAction] = GuardPolicy.defaultActions,
        fallbackAction: GuardAction = .block,
        minimumScores: [String: Double] = [GuardRuleID.injectionJailbreak: 0.6],
        defaultMinimumScore: Double = 0.5,
        allowLists: [String: Set<String>] = [:],
        rolesSeeingPersonalData: Set<String> = []
    ) {
        self.actions = actions
        self.fallbackAction = fallbackAction
        self.minimumScores = minimumScores
        self.defaultMinimumScore = defaultMinimumScore
        self.allowLists = allowLists.mapValues { Set($0.map { $0.lowercased() }) }
        self.rolesSeeingPersonalData = rolesSeeingPersonalData
    }

    /// The documented fail-closed defaults.
    public static let `default` = GuardPolicy()

    /// The action `ruleID` takes.
    public func action(for ruleID: String) -> GuardAction {
        actions[ruleID] ?? fallbackAction
    }

    /// The lowest score at which `ruleID` reports a verdict.
    public func minimumScore(for ruleID: String) -> Double {
        minimumScores[ruleID] ?? defaultMinimumScore
    }

    /// True when the allow-list of `ruleID` contains `value`, ignoring case.
    public func allows(_ value: String, for ruleID: String) -> Bool {
        guard let list = allowLists[ruleID], !list.isEmpty else { return false }
        return list.contains(value.lowercased())
    }

    /// The default action of every built-in rule.
    public static let defaultActions: [String: GuardAction] = {
        var actions: [String: GuardAction] = [:]
        for rule in [GuardRuleID.injectionDirect, GuardRuleID.injectionJailbreak, GuardRuleID.injectionIndirect,
                     GuardRuleID.hiddenTagCharacters, GuardRuleID.hiddenEncoded, GuardRuleID.outputCanary,
                     GuardRuleID.outputToxic, GuardRuleID.externalUnavailable] {
            actions[rule] = .block
        }
        for rule in [GuardRuleID.piiEmail, GuardRuleID.piiPhone, GuardRuleID.piiCard, GuardRuleID.piiIBAN,
                     GuardRuleID.piiBelgianNationalNumber, GuardRuleID.piiDutchBSN, GuardRuleID.piiUSSSN,
                     GuardRuleID.piiUKNINO, GuardRuleID.piiIPAddress,
                     GuardRuleID.secretPrivateKey, GuardRuleID.secretJWT, GuardRuleID.secretAPIKey,
                     GuardRuleID.secretConnectionString, GuardRuleID.secretCredential, GuardRuleID.secretHighEntropy,
                     GuardRuleID.hiddenZeroWidth, GuardRuleID.hiddenBidi,
                     GuardRuleID.outputImage, GuardRuleID.outputLink, GuardRuleID.outputLinkData,
                     GuardRuleID.outputCitation] {
            actions[rule] = .redact
        }
        actions[GuardRuleID.hiddenHomoglyph] = .flag
        return actions
    }()
}
