/// The stable ids of the built-in rules. Policies, allow-lists, audit
/// records and dashboards refer to rules by these strings.
public enum GuardRuleID {
    // Prompt injection.
    /// Instructions that try to override the system prompt, start a new
    /// task, or extract the prompt, in a user prompt.
    public static let injectionDirect = "injection.direct"
    /// Persona and role-play set-ups that try to lift the model's rules.
    public static let injectionJailbreak = "injection.jailbreak"
    /// Instructions aimed at the model inside retrieved content.
    public static let injectionIndirect = "injection.indirect"

    // Hidden or obfuscated text.
    public static let hiddenZeroWidth = "hidden.zero-width"
    public static let hiddenTagCharacters = "hidden.tag-characters"
    public static let hiddenBidi = "hidden.bidi"
    /// A word that mixes Latin letters with Cyrillic or Greek look-alikes.
    public static let hiddenHomoglyph = "hidden.homoglyph"
    /// Base64 or hex that decodes to an instruction.
    public static let hiddenEncoded = "hidden.encoded"

    // Personal data.
    public static let piiEmail = "pii.email"
    public static let piiPhone = "pii.phone"
    public static let piiCard = "pii.card"
    public static let piiIBAN = "pii.iban"
    public static let piiBelgianNationalNumber = "pii.be-national-number"
    public static let piiDutchBSN = "pii.nl-bsn"
    public static let piiUSSSN = "pii.us-ssn"
    public static let piiUKNINO = "pii.uk-nino"
    public static let piiIPAddress = "pii.ip-address"

    // Secrets.
    public static let secretPrivateKey = "secret.private-key"
    public static let secretJWT = "secret.jwt"
    /// An API key or token with a vendor's fixed prefix or layout.
    public static let secretAPIKey = "secret.api-key"
    public static let secretConnectionString = "secret.connection-string"
    /// A password, token or key assigned to a credential name.
    public static let secretCredential = "secret.credential"
    /// A high-entropy string next to a credential word.
    public static let secretHighEntropy = "secret.high-entropy"

    // Output.
    public static let outputCanary = "output.canary"
    public static let outputToxic = "output.toxic"
    /// A markdown or HTML image; images load without a click.
    public static let outputImage = "output.image"
    /// A link to a host outside the allow-list, or with an unsafe scheme.
    public static let outputLink = "output.link"
    /// A URL whose path or query carries data: the canary, a secret,
    /// personal data or a long encoded value.
    public static let outputLinkData = "output.link-data"
    /// A citation of a document that was not retrieved for this answer.
    public static let outputCitation = "output.citation"

    // External classifiers.
    public static let externalUnavailable = "external.unavailable"

    /// True for rules about personal data, which per-role visibility can show unredacted.
    public static func isPersonalData(_ ruleID: String) -> Bool {
        ruleID.hasPrefix("pii.")
    }
}

/// One raw match before the policy assigns an action.
struct Finding: Sendable {
    var ruleID: String
    var score: Double
    /// Original scalar offsets; nil for the whole text.
    var span: Range<Int>?
    /// The reason without the rule id prefix and without the matched value.
    var detail: String
    /// The matched text, used only for allow-list checks; never reported.
    var matchedText: String = ""
    /// The redaction text, when it differs from the default marker.
    var customReplacement: String?
}

extension Finding {
    /// What a redaction puts in place of the span: the marker by default,
    /// nothing for invisible characters, which carry no visible content.
    var replacement: String {
        if let custom = customReplacement { return custom }
        switch ruleID {
        case GuardRuleID.hiddenZeroWidth, GuardRuleID.hiddenBidi, GuardRuleID.hiddenTagCharacters:
            return ""
        default:
            return "[REDACTED:\(ruleID)]"
        }
    }
}
