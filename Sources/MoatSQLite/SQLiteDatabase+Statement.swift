import CSQLite
import Foundation

/// SQLite copies bound text and blobs before the bind call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLiteDatabase {
    /// Prepared statements kept for reuse; beyond this count the cache is emptied.
    static let statementCacheLimit = 64

    /// Prepares (or reuses) `sql`, binds `parameters`, runs `body`, then resets the statement.
    func withStatement<T>(_ sql: String, _ parameters: [SQLiteValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        try withConnection { connection in
            let statement = try preparedStatement(sql, on: connection)
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            try bind(parameters, to: statement, on: connection)
            return try body(statement)
        }
    }

    /// Advances `statement`; true when a row is available, false when done.
    func step(_ statement: OpaquePointer, sql: String) throws -> Bool {
        let status = sqlite3_step(statement)
        switch status {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            throw SQLiteError.lastError(on: sqlite3_db_handle(statement), code: status, while: "running statement")
        }
    }

    private func preparedStatement(_ sql: String, on connection: OpaquePointer) throws -> OpaquePointer {
        if let cached = statementCache[sql] {
            return cached
        }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let status = sql.withCString { text in
            let status = sqlite3_prepare_v3(connection, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Anything but whitespace and comments after the first statement
            // would be silently ignored, so reject it.
            if status == SQLITE_OK, let tail, Self.containsStatement(tail, on: connection) {
                return SQLITE_MISUSE
            }
            return status
        }
        if status == SQLITE_MISUSE {
            sqlite3_finalize(statement)
            throw SQLiteError.misuse("run and query accept exactly one SQL statement; use execute for scripts")
        }
        guard status == SQLITE_OK, let statement else {
            throw SQLiteError.lastError(on: connection, code: status, while: "preparing statement")
        }
        if statementCache.count >= Self.statementCacheLimit {
            statementCache.values.forEach { sqlite3_finalize($0) }
            statementCache.removeAll()
        }
        statementCache[sql] = statement
        return statement
    }

    /// True when `tail` holds another statement. Preparing whitespace,
    /// comments or a lone semicolon succeeds with no statement.
    private static func containsStatement(_ tail: UnsafePointer<CChar>, on connection: OpaquePointer) -> Bool {
        var next: OpaquePointer?
        let status = sqlite3_prepare_v2(connection, tail, -1, &next, nil)
        defer { sqlite3_finalize(next) }
        return status != SQLITE_OK || next != nil
    }

    private func bind(_ parameters: [SQLiteValue], to statement: OpaquePointer, on connection: OpaquePointer) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == parameters.count else {
            throw SQLiteError.misuse("statement expects \(expected) parameters but \(parameters.count) were given")
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null:
                status = sqlite3_bind_null(statement, index)
            case .integer(let number):
                status = sqlite3_bind_int64(statement, index, number)
            case .real(let number):
                status = sqlite3_bind_double(statement, index, number)
            case .text(let text):
                // Explicit byte length, so a text containing NUL is not cut short.
                // The appended terminator keeps the buffer non-empty, because a
                // nil pointer would bind NULL instead of an empty string.
                let length = UInt64(text.utf8.count)
                let bytes = Array(text.utf8CString)
                status = bytes.withUnsafeBufferPointer { buffer in
                    sqlite3_bind_text64(statement, index, buffer.baseAddress, length, transientDestructor, UInt8(SQLITE_UTF8))
                }
            case .blob(let data):
                // An empty Data has no base address, and binding nil would store NULL.
                status = data.isEmpty
                    ? sqlite3_bind_zeroblob(statement, index, 0)
                    : data.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transientDestructor) }
            }
            guard status == SQLITE_OK else {
                throw SQLiteError.lastError(on: connection, code: status, while: "binding parameter \(index)")
            }
        }
    }

    static func columnIndex(of statement: OpaquePointer) -> [String: Int] {
        var index: [String: Int] = [:]
        for column in 0..<Int(sqlite3_column_count(statement)) {
            let name = sqlite3_column_name(statement, Int32(column)).map { String(cString: $0) } ?? "\(column)"
            if index[name] == nil {
                index[name] = column
            }
        }
        return index
    }

    static func values(of statement: OpaquePointer, count: Int) -> [SQLiteValue] {
        (0..<Int(sqlite3_column_count(statement))).map { column in
            let column = Int32(column)
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                return .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                let length = Int(sqlite3_column_bytes(statement, column))
                guard let pointer = sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self))
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(statement, column))
                guard let pointer = sqlite3_column_blob(statement, column), length > 0 else { return .blob(Data()) }
                return .blob(Data(bytes: pointer, count: length))
            default:
                return .null
            }
        }
    }
}
