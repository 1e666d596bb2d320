import Foundation
import MoatJSON
import MoatSQLite

/// The outcome of checking an audit log's hash chain.
public struct AuditVerification: Sendable, Equatable {
    /// Records read.
    public var recordCount: Int
    /// Hash of the last record, to compare with a copy kept elsewhere.
    public var headHash: String
    /// The first problem found, naming the record; nil when the chain is intact.
    public var firstProblem: Problem?

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The record's content no longer matches its stored hash.
            case contentChanged = "content_changed"
            /// The record's link to its predecessor is wrong: removed, inserted or reordered records.
            case brokenLink = "broken_link"
            /// A sequence number is missing.
            case gap
            /// The stored record is not valid JSON or names another sequence number.
            case malformedRecord = "malformed_record"
            /// A column that queries filter on (time, request ID, user ID, action,
            /// decision) disagrees with the hashed record, so filtered reads would mislead.
            case columnMismatch = "column_mismatch"
        }

        public var sequence: Int64
        public var kind: Kind
        public var description: String {
            switch kind {
            case .contentChanged: "record \(sequence): content does not match its hash (the record was edited)"
            case .brokenLink: "record \(sequence): previous-hash link is broken (a record before it was removed, inserted or reordered)"
            case .gap: "record \(sequence): sequence gap (records before it are missing)"
            case .malformedRecord: "record \(sequence): stored record is malformed"
            case .columnMismatch: "record \(sequence): a query column disagrees with the hashed record (the row was edited)"
            }
        }
    }

    public var isIntact: Bool { firstProblem == nil }
}

/// Recomputes an audit log's hash chain from the first record.
public enum AuditVerifier {
    /// Opens the file read-only and verifies it; an unreadable or non-SQLite file throws an ``AuditError``.
    public static func verify(path: String) throws -> AuditVerification {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AuditError(code: "audit_log_missing", "no audit log at \(path); pass the data folder the api writes to")
        }
        let database: SQLiteDatabase
        let rows: [SQLiteRow]
        do {
            database = try SQLiteDatabase(path: path, readOnly: true)
            rows = try database.query(
                "SELECT seq, time, request_id, user_id, action, decision, record, prev_hash, hash FROM audit_log ORDER BY seq"
            )
        } catch {
            throw AuditError(code: "audit_log_unreadable", "the audit log at \(path) cannot be read: \(error)")
        }
        var previousHash = AuditLog.genesisHash
        var expectedSequence: Int64 = 1
        var verification = AuditVerification(recordCount: 0, headHash: previousHash, firstProblem: nil)
        for row in rows {
            verification.recordCount += 1
            let sequence = row.int64("seq") ?? -1
            guard sequence == expectedSequence else {
                verification.firstProblem = .init(sequence: sequence, kind: .gap)
                return verification
            }
            guard let record = row.string("record"), let storedPrevious = row.string("prev_hash"), let storedHash = row.string("hash") else {
                verification.firstProblem = .init(sequence: sequence, kind: .malformedRecord)
                return verification
            }
            let recordData = Data(record.utf8)
            guard AuditLog.chainHash(previous: storedPrevious, record: recordData) == storedHash else {
                verification.firstProblem = .init(sequence: sequence, kind: .contentChanged)
                return verification
            }
            guard storedPrevious == previousHash else {
                verification.firstProblem = .init(sequence: sequence, kind: .brokenLink)
                return verification
            }
            if let problem = consistencyProblem(row, record: recordData, sequence: sequence) {
                verification.firstProblem = .init(sequence: sequence, kind: problem)
                return verification
            }
            previousHash = storedHash
            expectedSequence += 1
        }
        verification.headHash = previousHash
        return verification
    }
}

extension AuditVerifier {
    /// Checks what the hash alone cannot: that the hashed record names the
    /// row's sequence number, and that the unhashed query columns repeat its fields.
    static func consistencyProblem(_ row: SQLiteRow, record: Data, sequence: Int64) -> AuditVerification.Problem.Kind? {
        // A record is as large as the prompt and answer it stores, so no size limit applies here.
        guard let json = try? JSONValue.parse(record, limits: JSONLimits(maxBytes: .max)),
              json["seq"]?.int64Value == sequence
        else {
            return .malformedRecord
        }
        let expectedUserID = json["object_id"]?.stringValue.map { "\(json["tenant_id"]?.stringValue ?? ""):\($0)" }
        let matches = row.string("time") == json["time"]?.stringValue
            && row.string("request_id") == json["request_id"]?.stringValue
            && row.string("user_id") == expectedUserID
            && row.string("action") == json["action"]?.stringValue
            && row.string("decision") == json["decision"]?.stringValue
        return matches ? nil : .columnMismatch
    }
}
