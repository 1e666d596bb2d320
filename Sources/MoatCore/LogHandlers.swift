import Foundation

/// Writes one line per entry to standard error, as logfmt:
/// `time=… level=info label=moat.api msg="server started" moat.http.port=8080`.
///
/// Values are quoted when they contain spaces, quotes or `=`, and control
/// characters and Unicode line separators are escaped, so a logged value
/// cannot forge a second line.
public struct StandardErrorLogHandler: LogHandler {
    private let lock = NSLock()

    public init() {}

    public func write(_ entry: LogEntry) {
        let line = LogfmtFormatter.format(entry) + "\n"
        lock.withLock {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

/// Keeps entries in memory; tests read them back to assert what was logged.
public final class InMemoryLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked: `entries` is only touched while `lock` is held.
    private let lock = NSLock()
    private var stored: [LogEntry] = []

    public init() {}

    public func write(_ entry: LogEntry) {
        lock.withLock { stored.append(entry) }
    }

    /// A snapshot of every entry written so far, oldest first.
    public var entries: [LogEntry] {
        lock.withLock { stored }
    }
}

/// Formats entries as logfmt lines.
public enum LogfmtFormatter {
    private static let timeFormat: Date.ISO8601FormatStyle = .iso8601
        .year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)

    public static func format(_ entry: LogEntry) -> String {
        var parts = [
            "time=\(entry.time.formatted(timeFormat))",
            "level=\(entry.level.name)",
            "label=\(entry.label)",
            "msg=\(quote(entry.message))",
        ]
        for key in entry.metadata.keys.sorted() {
            parts.append("\(sanitizeKey(key))=\(quote(entry.metadata[key] ?? ""))")
        }
        return parts.joined(separator: " ")
    }

    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" }
        var escaped = ""
        var hasControl = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"; hasControl = true
            case "\r": escaped += "\\r"; hasControl = true
            case "\t": escaped += "\\t"; hasControl = true
            default:
                // C0, DEL and C1 controls (NEL, U+0085, among them) and the Unicode line and
                // paragraph separators, because some log readers split lines at each of them.
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator:
                    escaped += String(format: "\\u%04x", scalar.value)
                    hasControl = true
                default:
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return (needsQuotes || hasControl) ? "\"\(escaped)\"" : escaped
    }

    private static func sanitizeKey(_ key: String) -> String {
        String(key.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" })
    }
}
