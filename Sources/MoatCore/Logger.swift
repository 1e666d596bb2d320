import Foundation

/// A structured logger: constant messages, data in metadata.
///
/// Keys are dotted and share the `moat.` namespace (`moat.request.id`,
/// `moat.upstream.status`). Library layers log at `.trace` or `.debug`;
/// services log starts, stops, retries and caught errors at `.info` and above.
/// A logger without a handler (``Logger/disabled``) drops everything, so
/// nothing is printed unless a caller passes a logger in.
public struct Logger: Sendable {
    /// Severity, ordered from the most verbose to the most severe.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Lower-case name used in log lines and in configuration (`info`, `warning`).
        public var name: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name such as `info`; returns nil for an unknown name.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }
    }

    /// Metadata values are strings; callers format numbers and ids themselves.
    public typealias Metadata = [String: String]

    /// Component name, for example `moat.api`.
    public let label: String
    /// Entries below this level are dropped before formatting.
    public var level: Level
    /// Metadata attached to every entry of this logger, such as the request id.
    public var metadata: Metadata
    private let handler: (any LogHandler)?

    public init(label: String, level: Level = .info, handler: any LogHandler, metadata: Metadata = [:]) {
        self.label = label
        self.level = level
        self.handler = handler
        self.metadata = metadata
    }

    private init(disabledWithLabel label: String) {
        self.label = label
        self.level = .critical
        self.handler = nil
        self.metadata = [:]
    }

    /// A logger that writes nothing: the default for library code.
    public static let disabled = Logger(disabledWithLabel: "moat.disabled")

    /// Returns a copy whose entries also carry `metadata`.
    public func with(_ extra: Metadata) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// Returns a copy with another label and the same handler, level and metadata.
    public func relabeled(_ label: String) -> Logger {
        guard let handler else { return self }
        return Logger(label: label, level: level, handler: handler, metadata: metadata)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, metadata extra: Metadata = [:]) {
        guard let handler, level >= self.level else { return }
        var merged = metadata
        merged.merge(extra) { _, new in new }
        handler.write(LogEntry(time: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.trace, message(), metadata: metadata) }
    public func debug(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.debug, message(), metadata: metadata) }
    public func info(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.info, message(), metadata: metadata) }
    public func notice(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.notice, message(), metadata: metadata) }
    public func warning(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.warning, message(), metadata: metadata) }
    public func error(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.error, message(), metadata: metadata) }
    public func critical(_ message: @autoclosure () -> String, metadata: Metadata = [:]) { log(.critical, message(), metadata: metadata) }
}

/// One log entry as handed to a ``LogHandler``.
public struct LogEntry: Sendable {
    public let time: Date
    public let level: Logger.Level
    public let label: String
    public let message: String
    public let metadata: Logger.Metadata
}

/// Destination of log entries. Implementations must be safe to call from any thread.
public protocol LogHandler: Sendable {
    func write(_ entry: LogEntry)
}
