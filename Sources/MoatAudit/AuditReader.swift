import Foundation
import MoatJSON
import MoatSQLite

/// Filters for reading audit records. Every filter is optional and they combine with AND.
public struct AuditQuery: Sendable, Equatable {
    /// `tenant id:object id`, an object id alone, a user name (`preferred_username`), or its part before `@`.
    public var user: String?
    public var action: String?
    public var decision: AuditEntry.Decision?
    /// Records at or after this time.
    public var since: Date?
    /// Records at or before this time.
    public var until: Date?
    /// Records with a smaller sequence number, for paging newest first.
    public var beforeSequence: Int64?
    /// Records with a larger sequence number, for paging oldest first.
    public var afterSequence: Int64?

    public init(
        user: String? = nil, action: String? = nil, decision: AuditEntry.Decision? = nil, since: Date? = nil,
        until: Date? = nil, beforeSequence: Int64? = nil, afterSequence: Int64? = nil
    ) {
        self.user = user
        self.action = action
        self.decision = decision
        self.since = since
        self.until = until
        self.beforeSequence = beforeSequence
        self.afterSequence = afterSequence
    }

    /// Builds the WHERE clause and its parameters.
    func sqlCondition() -> (String, [SQLiteValue]) {
        var clauses = ["1 = 1"]
        var parameters: [SQLiteValue] = []
        if let user {
            clauses.append(
                """
                (user_id = ? OR substr(user_id, instr(user_id, ':') + 1) = ? OR (SELECT name = ? OR substr(name, 1, instr(name, '@') - 1) = ? \
                FROM (SELECT CASE WHEN json_valid(record) THEN json_extract(record, '$.user_name') END AS name)))
                """
            )
            parameters += [.text(user), .text(user), .text(user), .text(user)]
        }
        if let action {
            clauses.append("action = ?")
            parameters.append(.text(action))
        }
        if let decision {
            clauses.append("decision = ?")
            parameters.append(.text(decision.rawValue))
        }
        // Times are stored in one fixed-width UTC format, so text order is time order.
        if let since {
            clauses.append("time >= ?")
            parameters.append(.text(since.formatted(AuditEntry.timeFormat)))
        }
        if let until {
            clauses.append("time <= ?")
            parameters.append(.text(until.formatted(AuditEntry.timeFormat)))
        }
        if let beforeSequence {
            clauses.append("seq < ?")
            parameters.append(.integer(beforeSequence))
        }
        if let afterSequence {
            clauses.append("seq > ?")
            parameters.append(.integer(afterSequence))
        }
        return (clauses.joined(separator: " AND "), parameters)
    }
}

/// One stored record: its sequence number and canonical JSON text.
public struct StoredAuditRecord: Sendable, Equatable {
    public var sequence: Int64
    public var text: String

    public init(sequence: Int64, text: String) {
        self.sequence = sequence
        self.text = text
    }

    /// The record parsed; nil when the stored text is not valid JSON.
    public var json: JSONValue? {
        // A record is as large as the prompt and answer it stores, so no size limit applies here.
        try? JSONValue.parse(Data(text.utf8), limits: JSONLimits(maxBytes: .max))
    }
}

/// Read-only access to an audit database, on its own connection, so reads
/// proceed while the writer commits (WAL).
public final class AuditReader: Sendable {
    /// Records per query when streaming.
    static let pageSize = 500

    private let database: SQLiteDatabase

    /// Opens the database at `path` read-only.
    ///
    /// - Throws: ``AuditError`` `audit_log_missing` when there is no file, and
    ///   `audit_log_unreadable` when it is not an audit database.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AuditError(code: "audit_log_missing", "no audit log at \(path); pass the data folder the api writes to")
        }
        do {
            database = try SQLiteDatabase(path: path, readOnly: true)
            _ = try database.query("SELECT seq, record FROM audit_log LIMIT 0")
        } catch {
            throw AuditError(code: "audit_log_unreadable", "the audit log at \(path) cannot be read: \(error)")
        }
    }

    /// Records matching `query`, newest first; `limit` is clamped to 1...500.
    public func records(matching query: AuditQuery, limit: Int) throws -> [StoredAuditRecord] {
        let (condition, parameters) = query.sqlCondition()
        return try read(
            "SELECT seq, record FROM audit_log WHERE \(condition) ORDER BY seq DESC LIMIT ?",
            parameters + [.integer(Int64(max(1, min(limit, 500))))]
        )
    }

    /// Calls `body` with every record matching `query`, oldest first, reading a page
    /// at a time so memory stays bounded however large the log is.
    public func forEachRecord(matching query: AuditQuery, _ body: (StoredAuditRecord) throws -> Void) throws {
        var page = query
        while true {
            let (condition, parameters) = page.sqlCondition()
            let records = try read(
                "SELECT seq, record FROM audit_log WHERE \(condition) ORDER BY seq LIMIT ?",
                parameters + [.integer(Int64(Self.pageSize))]
            )
            for record in records {
                try body(record)
            }
            guard records.count == Self.pageSize, let last = records.last else { return }
            page.afterSequence = last.sequence
        }
    }

    /// Number of records stored.
    public func count() throws -> Int {
        try wrapped { Int(try database.query("SELECT count(*) AS n FROM audit_log").first?.int64("n") ?? 0) }
    }

    private func read(_ sql: String, _ parameters: [SQLiteValue]) throws -> [StoredAuditRecord] {
        try wrapped {
            try database.query(sql, parameters).map { row in
                StoredAuditRecord(sequence: row.int64("seq") ?? -1, text: row.string("record") ?? "")
            }
        }
    }

    private func wrapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw AuditError(code: "audit_log_unreadable", "the audit log at \(database.path) cannot be read: \(error)")
        }
    }
}

extension AuditLog {
    /// Records matching `query`, newest first, parsed; `limit` is clamped to 1...500.
    public func records(matching query: AuditQuery = AuditQuery(), limit: Int) throws -> [JSONValue] {
        try reader.records(matching: query, limit: limit).compactMap(\.json)
    }

    /// Calls `body` with every record matching `query`, oldest first.
    public func forEachRecord(matching query: AuditQuery = AuditQuery(), _ body: (StoredAuditRecord) throws -> Void) throws {
        try reader.forEachRecord(matching: query, body)
    }

    /// Number of records stored.
    public func count() throws -> Int {
        try reader.count()
    }
}

extension AuditQuery {
    /// Parses a filter time: `2026-03-01` (midnight UTC), `2026-03-01T08:00:00Z`,
    /// or the same with fractional seconds or a numeric offset. Nil for anything else.
    public static func parseTime(_ text: String) -> Date? {
        let formats: [Date.ISO8601FormatStyle] = [
            AuditEntry.timeFormat,
            .iso8601,
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon),
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .colon),
            .iso8601.year().month().day(),
        ]
        for format in formats {
            if let date = try? Date(text, strategy: format) { return date }
        }
        return nil
    }
}
