import Foundation
import MoatCrypto
import MoatJSON

/// How one text field (the prompt or the answer) is kept in the audit log.
///
/// Every policy but ``omitted`` records the text's length in UTF-8 bytes.
/// The record's field is a JSON object naming the policy, so a reader can tell
/// a withheld text from an absent one:
/// - stored: `{"policy":"stored","bytes":12,"text":"..."}`
/// - redacted: `{"policy":"redacted","bytes":12,"text":"<redacted text>"}` when
///   the caller passed a redacted text, else `{"policy":"redacted","bytes":12,"hmac":"hmac-sha256:..."}`
/// - keyed hash: `{"policy":"keyed_hash","bytes":12,"hmac":"hmac-sha256:..."}`
/// - omitted: `{"policy":"omitted"}`
public enum ContentPolicy: String, Sendable, CaseIterable {
    /// The text itself.
    case stored
    /// The text after redaction by the guardrails; without a redacted text, its length and keyed hash.
    case redacted
    /// HMAC-SHA-256 under the log's content key: equal texts can be matched, the text cannot be read back.
    case keyedHash = "keyed_hash"
    /// Only the fact that a text was withheld.
    case omitted
}

/// The policy for each text field. Both default to ``ContentPolicy/redacted``.
public struct ContentPolicies: Sendable, Equatable {
    public var prompt: ContentPolicy
    public var answer: ContentPolicy

    public init(prompt: ContentPolicy = .redacted, answer: ContentPolicy = .redacted) {
        self.prompt = prompt
        self.answer = answer
    }

    /// True when a policy needs the content key.
    var needsKey: Bool {
        [prompt, answer].contains { $0 == .redacted || $0 == .keyedHash }
    }
}

/// Applies a ``ContentPolicy`` to a text with the log's content key.
struct ContentProtector: Sendable {
    let key: Data

    /// The record field for `text` under `policy`; nil when there is no text.
    func protect(_ text: String?, redacted: String?, policy: ContentPolicy) -> JSONValue? {
        guard let text else { return nil }
        var field: JSONObject = ["policy": .string(policy.rawValue)]
        switch policy {
        case .stored:
            field["bytes"] = .integer(Int64(text.utf8.count))
            field["text"] = .string(text)
        case .redacted:
            field["bytes"] = .integer(Int64(text.utf8.count))
            if let redacted {
                field["text"] = .string(redacted)
            } else {
                field["hmac"] = .string(keyedHash(text))
            }
        case .keyedHash:
            field["bytes"] = .integer(Int64(text.utf8.count))
            field["hmac"] = .string(keyedHash(text))
        case .omitted:
            break
        }
        return .object(field)
    }

    /// `hmac-sha256:` and the lower-case hex HMAC of the text's UTF-8 bytes.
    func keyedHash(_ text: String) -> String {
        "hmac-sha256:" + Hex.encode(HMAC.sha256(key: key, message: Data(text.utf8)))
    }
}
