import CSQLite
import Foundation

/// One SQLite connection.
///
/// Every call takes an internal recursive lock, so the connection may be
/// shared between threads and a ``transaction(_:)`` body runs without
/// statements from other threads slipping into it. Open one instance per
/// database file and process; SQLite's file locks and the busy timeout
/// handle other processes.
public final class SQLiteDatabase: @unchecked Sendable {
    // @unchecked: `handle` and `statementCache` are only used while `lock` is held.

    /// How hard SQLite pushes writes to disk (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable {
        /// In WAL mode a commit survives a process crash; a power loss may
        /// roll back the last transactions but never corrupts the file.
        case normal = "NORMAL"
        /// Every commit is durable across power loss, at the cost of an fsync per commit.
        case full = "FULL"
    }

    let lock = NSRecursiveLock()
    var handle: OpaquePointer?
    var statementCache: [String: OpaquePointer] = [:]
    var savepointDepth = 0

    /// The file path given at open, or `:memory:`.
    public let path: String

    /// Opens or creates the database at `path`.
    ///
    /// - Parameters:
    ///   - path: file path, or `:memory:` for a private in-memory database.
    ///     A new file is created with mode 0600 (owner read and write only).
    ///   - readOnly: opens without write access and without creating the file.
    ///   - busyTimeout: seconds to wait for another connection's lock before
    ///     failing with `SQLITE_BUSY`. Default 5.
    ///   - synchronous: durability level; default ``Synchronous/normal``.
    /// - Throws: ``SQLiteError``, for example `SQLITE_NOTADB` when the file is
    ///   not an SQLite database and `SQLITE_CANTOPEN` when it cannot be opened.
    public init(
        path: String,
        readOnly: Bool = false,
        busyTimeout: TimeInterval = 5,
        synchronous: Synchronous = .normal
    ) throws {
        self.path = path
        if !readOnly {
            try Self.createPrivateFileIfMissing(path)
        }

        // NOMUTEX: `lock` already serialises every call on this connection.
        // EXRESCODE: report extended result codes from every call.
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var connection: OpaquePointer?
        let status = sqlite3_open_v2(path, &connection, flags, nil)
        guard status == SQLITE_OK else {
            let error = SQLiteError.lastError(on: connection, code: status, while: "opening database")
            sqlite3_close_v2(connection)
            throw error
        }
        handle = connection
        sqlite3_busy_timeout(connection, Int32(max(0, min(busyTimeout * 1000, Double(Int32.max)))))

        do {
            // Reading the schema forces SQLite to parse the header, so a file
            // that is not a database fails here with SQLITE_NOTADB.
            _ = try query("PRAGMA schema_version")
            if !readOnly {
                _ = try query("PRAGMA journal_mode = WAL")
            }
            try execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = \(synchronous.rawValue)")
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Runs one or more SQL statements separated by semicolons, without parameters.
    /// Result rows are discarded.
    public func execute(_ sql: String) throws {
        try withConnection { connection in
            let status = sqlite3_exec(connection, sql, nil, nil, nil)
            guard status == SQLITE_OK else {
                throw SQLiteError.lastError(on: connection, code: status, while: "executing SQL script")
            }
        }
    }

    /// Runs one statement with `parameters` bound to its `?` placeholders in order.
    /// Result rows, if any, are discarded.
    public func run(_ sql: String, _ parameters: [SQLiteValue] = []) throws {
        try withStatement(sql, parameters) { statement in
            while try step(statement, sql: sql) {}
        }
    }

    /// Runs one statement with `parameters` bound in order, and returns every row.
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try withStatement(sql, parameters) { statement in
            let columnIndex = Self.columnIndex(of: statement)
            var rows: [SQLiteRow] = []
            while try step(statement, sql: sql) {
                rows.append(SQLiteRow(columnIndex: columnIndex, values: Self.values(of: statement, count: columnIndex.count)))
            }
            return rows
        }
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 {
        lock.withLock { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int {
        lock.withLock { handle.map { Int(sqlite3_changes($0)) } ?? 0 }
    }

    /// Runs `PRAGMA integrity_check` and returns its messages: `["ok"]` for a sound file.
    public func integrityCheck() throws -> [String] {
        try query("PRAGMA integrity_check").compactMap { $0.values.first }.map { value in
            if case .text(let text) = value { return text }
            return "\(value)"
        }
    }

    func close() {
        lock.withLock {
            for statement in statementCache.values {
                sqlite3_finalize(statement)
            }
            statementCache.removeAll()
            if let handle {
                sqlite3_close_v2(handle)
            }
            handle = nil
        }
    }

    func withConnection<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else {
            throw SQLiteError.misuse("the database connection to \(path) is closed")
        }
        return try body(handle)
    }

    /// Creates an empty file with mode 0600 so that SQLite, which copies the
    /// database file's mode to its -wal and -shm files, never writes a
    /// world-readable file.
    private static func createPrivateFileIfMissing(_ path: String) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            Foundation.close(descriptor)
        } else if errno != EEXIST {
            let message = String(cString: strerror(errno))
            throw SQLiteError(code: SQLITE_CANTOPEN, reason: "creating database file \(path) failed: \(message)")
        }
    }
}
