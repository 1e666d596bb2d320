import Foundation
import MoatCore
import MoatCrypto
import MoatJSON
import MoatSQLite

/// A failure to write or read the audit log.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let reason: String
    public init(code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { "\(code): \(reason)" }
}

/// Append-only, hash-chained audit log in SQLite.
///
/// Each row stores the record as canonical JSON (RFC 8785) and
/// `hash = SHA-256(previous hash ‖ LF ‖ canonical record)`, hex-encoded, with
/// 64 zeros before the first record. The record includes its sequence number,
/// so editing, removing or reordering rows breaks the chain, and
/// ``AuditVerifier`` names the first record where it breaks. Triggers reject
/// UPDATE and DELETE, and every append is committed with `synchronous=FULL`.
///
/// NOTE: the chain is unkeyed, so removing the newest records, or editing a
/// record and recomputing every later hash, leaves a chain that verifies.
/// Only a comparison with a head hash kept outside the data folder detects that.
public final class AuditLog: Sendable {
    public static let genesisHash = String(repeating: "0", count: 64)

    private let database: SQLiteDatabase
    private let contentPolicy: ContentPolicy
    private let hashKey: Data
    private let logger: Logger

    /// - Parameters:
    ///   - path: SQLite file, created with mode 0600.
    ///   - contentPolicy: how prompts and responses are kept; default ``ContentPolicy/stored``.
    ///   - hashKey: HMAC key for ``ContentPolicy/hashed``; at least 32 bytes when that policy is used.
    /// - Throws: ``AuditError`` with code `invalid_configuration` for a short key, and
    ///   `audit_log_unreadable` when the file cannot be opened or is not an SQLite database.
    public init(path: String, contentPolicy: ContentPolicy = .stored, hashKey: Data = Data(), logger: Logger = .disabled) throws {
        if contentPolicy == .hashed, hashKey.count < 32 {
            throw AuditError(code: "invalid_configuration", "the hashed content policy needs a key of at least 32 bytes")
        }
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA synchronous=FULL")
            try AuditSchema.migrate(database)
        } catch {
            throw AuditError(
                code: "audit_log_unreadable",
                "the audit log at \(path) cannot be opened: \(error); check that its folder exists and the file is an audit log"
            )
        }
        self.database = database
        self.contentPolicy = contentPolicy
        self.hashKey = hashKey
        self.logger = logger
    }

    /// Appends one record durably and returns its sequence number.
    @discardableResult
    public func append(_ entry: AuditEntry) throws -> Int64 {
        let prompt = protect(entry.prompt)
        let response = protect(entry.response)
        do {
            return try database.transaction {
                let last = try database.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first
                let sequence = (last?.int64("seq") ?? 0) + 1
                let previousHash = last?.string("hash") ?? Self.genesisHash
                let canonical = JSONValue.object(entry.jsonObject(sequence: sequence, prompt: prompt, response: response)).canonicalized()
                let hash = Self.chainHash(previous: previousHash, record: canonical)
                try database.run(
                    """
                    INSERT INTO audit_log (seq, time, request_id, user_id, action, decision, record, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .integer(sequence), .text(entry.time.formatted(AuditEntry.timeFormat)), .text(entry.requestID),
                        entry.objectID.map { .text("\(entry.tenantID ?? ""):\($0)") } ?? .null,
                        .text(entry.action), .text(entry.decision.rawValue),
                        .text(String(decoding: canonical, as: UTF8.self)), .text(previousHash), .text(hash),
                    ]
                )
                return sequence
            }
        } catch {
            logger.error("audit append failed", metadata: ["moat.request.id": entry.requestID, "moat.error": "\(error)"])
            throw AuditError(code: "audit_write_failed", "the audit record could not be written: \(error)")
        }
    }

    /// Records newest first, optionally only those before `beforeSequence`.
    /// `limit` is clamped to 1...500.
    public func records(limit: Int, beforeSequence: Int64? = nil, userID: String? = nil, action: String? = nil) throws -> [JSONValue] {
        var sql = "SELECT record FROM audit_log WHERE 1 = 1"
        var parameters: [SQLiteValue] = []
        if let beforeSequence {
            sql += " AND seq < ?"
            parameters.append(.integer(beforeSequence))
        }
        if let userID {
            sql += " AND user_id = ?"
            parameters.append(.text(userID))
        }
        if let action {
            sql += " AND action = ?"
            parameters.append(.text(action))
        }
        sql += " ORDER BY seq DESC LIMIT ?"
        parameters.append(.integer(Int64(max(1, min(limit, 500)))))
        return try database.query(sql, parameters).compactMap { row in
            // A record is as large as the prompt and answer it stores, so no size limit applies here.
            row.string("record").flatMap { try? JSONValue.parse(Data($0.utf8), limits: JSONLimits(maxBytes: .max)) }
        }
    }

    public func count() throws -> Int {
        Int(try database.query("SELECT count(*) AS n FROM audit_log").first?.int64("n") ?? 0)
    }

    static func chainHash(previous: String, record: Data) -> String {
        var input = Data(previous.utf8)
        input.append(0x0A)
        input.append(record)
        return Digest.sha256(input).map { String(format: "%02x", $0) }.joined()
    }

    private func protect(_ text: String?) -> String? {
        guard let text else { return nil }
        switch contentPolicy {
        case .stored: return text
        case .omitted: return nil
        case .hashed:
            return "hmac-sha256:" + HMAC.sha256(key: hashKey, message: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }
}

enum AuditSchema {
    static func migrate(_ database: SQLiteDatabase) throws {
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS audit_log (
                seq INTEGER PRIMARY KEY,
                time TEXT NOT NULL,
                request_id TEXT NOT NULL,
                user_id TEXT,
                action TEXT NOT NULL,
                decision TEXT NOT NULL,
                record TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user_id, seq);
            CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, seq);
            CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
            CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END;
            """
        )
    }
}
