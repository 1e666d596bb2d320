import Foundation
import MoatJSON

/// Output formats of `moat audit export`, for SIEM ingestion.
public enum AuditExportFormat: String, Sendable, CaseIterable {
    /// One stored record per line: the canonical JSON exactly as hashed.
    case jsonl
    /// ArcSight Common Event Format, one event per line.
    case cef

    /// Formats `record` as one line, without the line feed.
    public func line(for record: StoredAuditRecord) -> String {
        switch self {
        case .jsonl: record.text
        case .cef: CEFFormatter.line(for: record)
        }
    }
}

/// Turns audit records into ArcSight CEF:0 lines:
/// `CEF:0|Moat|Moat|1|<action>|<action> <decision>|<severity>|<extension>`.
///
/// Escaping follows the CEF specification. In header fields `\` becomes `\\`
/// and `|` becomes `\|`. In extension values `\` becomes `\\`, `=` becomes
/// `\=`, and CR and LF become `\r` and `\n`. Header fields cannot contain line
/// breaks, so they become spaces there.
public enum CEFFormatter {
    /// Device version in the header; it names the record layout, not the Moat release.
    static let deviceVersion = "\(AuditEntry.recordVersion)"

    public static func line(for record: StoredAuditRecord) -> String {
        guard let json = record.json else {
            return header(signature: "malformed", name: "unreadable audit record", severity: 10)
                + "cn3Label=seq cn3=\(record.sequence)"
        }
        let action = json["action"]?.stringValue ?? "unknown"
        let decision = json["decision"]?.stringValue ?? "unknown"
        let severity = switch decision {
        case "allow": 3
        case "deny": 6
        default: 8
        }
        var fields: [(String, String)] = []
        if let time = json["time"]?.stringValue, let date = try? Date(time, strategy: AuditEntry.timeFormat) {
            fields.append(("rt", "\(Int64((date.timeIntervalSince1970 * 1000).rounded()))"))
        }
        func add(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { fields.append((key, value)) }
        }
        add("externalId", json["request_id"]?.stringValue)
        add("act", action)
        add("outcome", decision)
        add("reason", json["reason"]?.stringValue)
        if let objectID = json["object_id"]?.stringValue {
            add("suid", "\(json["tenant_id"]?.stringValue ?? ""):\(objectID)")
        }
        add("suser", json["user_name"]?.stringValue)
        add("requestClientApplication", json["client_app_id"]?.stringValue)
        let custom: [(String, String?)] = [
            ("roles", json["roles"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",")),
            ("documents", json["documents"]?.arrayValue?.compactMap { document in
                document["id"]?.stringValue.map { "\($0):\(document["classification"]?.stringValue ?? "")" }
            }.joined(separator: ",")),
            ("model", json["model"]?.stringValue),
            ("hop", json["hop"]?.stringValue),
            ("contentPolicy", [("prompt", json["prompt"]?["policy"]?.stringValue), ("answer", json["answer"]?["policy"]?.stringValue)]
                .compactMap { name, policy in policy.map { "\(name):\($0)" } }.joined(separator: ",")),
            // CEF has six custom string slots, so the guardrail verdicts share one: rule:action pairs.
            ("guardrails", json["verdicts"]?.arrayValue?.compactMap { verdict in
                verdict["rule_id"]?.stringValue.map { "\($0):\(verdict["action"]?.stringValue ?? "")" }
            }.joined(separator: ",")),
        ]
        for (index, (label, value)) in custom.enumerated() where value?.isEmpty == false {
            fields.append(("cs\(index + 1)Label", label))
            fields.append(("cs\(index + 1)", value!))
        }
        let numbers: [(String, Int64?)] = [
            ("httpStatus", json["http_status"]?.int64Value), ("latencyMs", json["latency_ms"]?.int64Value), ("seq", record.sequence),
        ]
        for (index, (label, value)) in numbers.enumerated() {
            guard let value else { continue }
            fields.append(("cn\(index + 1)Label", label))
            fields.append(("cn\(index + 1)", "\(value)"))
        }
        let extensionText = fields.map { "\($0.0)=\(escapeExtension($0.1))" }.joined(separator: " ")
        return header(signature: action, name: "\(action) \(decision)", severity: severity) + extensionText
    }

    static func header(signature: String, name: String, severity: Int) -> String {
        ["CEF:0", "Moat", "Moat", deviceVersion, escapeHeader(signature), escapeHeader(name), "\(severity)"].joined(separator: "|") + "|"
    }

    /// Escapes a header field: backslash and pipe; line breaks become spaces.
    public static func escapeHeader(_ text: String) -> String {
        var output = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "|": output += "\\|"
            case "\r", "\n": output += " "
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }

    /// Escapes an extension value: backslash, equals sign, CR and LF.
    public static func escapeExtension(_ text: String) -> String {
        var output = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "=": output += "\\="
            case "\r": output += "\\r"
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }
}
