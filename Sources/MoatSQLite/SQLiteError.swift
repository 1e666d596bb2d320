import CSQLite

/// A failed SQLite call.
///
/// `code` is the primary result code (`SQLITE_NOTADB` is 26) and
/// `extendedCode` the extended one (`SQLITE_CONSTRAINT_UNIQUE` is 2067).
/// `reason` names the operation and carries `sqlite3_errmsg`; it never
/// contains the values bound to parameters, which may be personal data.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let extendedCode: Int32
    public let reason: String

    public init(code: Int32, extendedCode: Int32? = nil, reason: String) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.reason = reason
    }

    public var description: String {
        "SQLite error \(code) (extended \(extendedCode)): \(reason)"
    }

    /// The file is not an SQLite database, or it is encrypted or damaged in its header.
    public var isNotADatabase: Bool { code == SQLITE_NOTADB }
    /// The database file is damaged.
    public var isCorrupt: Bool { code == SQLITE_CORRUPT }
    /// A UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint rejected the change.
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }
    /// Another connection held a lock for longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY }
}

extension SQLiteError {
    /// Builds the error for the last failure on `connection`.
    static func lastError(on connection: OpaquePointer?, code: Int32, while operation: String) -> SQLiteError {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message: String
        if let connection, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        return SQLiteError(code: code & 0xFF, extendedCode: extended, reason: "\(operation) failed: \(message)")
    }

    /// An API misuse detected before reaching SQLite, such as a wrong parameter count.
    static func misuse(_ reason: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, reason: reason)
    }
}
