import Foundation
import MoatSQLite

/// One record row with what the verifier needs to judge it.
///
/// SQLite's JSON functions read the record's `seq` and compare the query
/// columns with the record's fields in the same statement, so the verifier
/// does not parse each record in Swift. The hash binds the exact bytes anyway.
struct RecordCheck {
    /// `consistent` is 1 when every query column repeats the record, 0 when one differs,
    /// and -1 when the record is not JSON.
    static let sql = """
        SELECT seq, prev_hash, hash, record,
            CASE WHEN json_valid(record) THEN json_extract(record, '$.seq') END AS record_seq,
            CASE WHEN json_valid(record) THEN (
                json_extract(record, '$.time') IS time
                AND json_extract(record, '$.request_id') IS request_id
                AND json_extract(record, '$.action') IS action
                AND json_extract(record, '$.decision') IS decision
                AND (CASE WHEN json_extract(record, '$.object_id') IS NULL THEN NULL
                     ELSE coalesce(json_extract(record, '$.tenant_id'), '') || ':' || json_extract(record, '$.object_id') END) IS user_id
            ) ELSE -1 END AS consistent
        FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?
        """

    var sequence: Int64
    var previousHash: String?
    var hash: String
    var record: String?
    var recordSequence: Int64?
    var consistent: Int64

    init(_ row: SQLiteRow) {
        sequence = row.int64("seq") ?? -1
        previousHash = row.string("prev_hash")
        hash = row.string("hash") ?? ""
        record = row.string("record")
        recordSequence = row.int64("record_seq")
        consistent = row.int64("consistent") ?? 0
    }

    /// Returns the first problem of this row, given the sequence number and previous hash the chain expects.
    func problem(expected: Int64, previousHash expectedPrevious: String, database: SQLiteDatabase) throws -> AuditVerification.Problem? {
        typealias Problem = AuditVerification.Problem
        guard sequence == expected else {
            return Problem(kind: .gap, sequence: sequence, detail: "records \(expected)...\(sequence - 1) are missing")
        }
        guard let record, let previousHash else {
            return Problem(kind: .malformedRecord, sequence: sequence, detail: "the stored record or previous hash is not text")
        }
        guard AuditLog.chainHash(previous: previousHash, record: record.utf8) == hash else {
            return Problem(kind: .contentChanged, sequence: sequence, detail: "content does not match its hash (the record was edited)")
        }
        guard previousHash == expectedPrevious else {
            // A record moved here from elsewhere, while the record numbered for this position sits at
            // another row and no row repeats this record's number (which an inserted record would).
            if let recordSequence, recordSequence != sequence,
               try otherRow(namingSequence: recordSequence, in: database) == nil, try otherRow(namingSequence: sequence, in: database) != nil {
                return Problem(kind: .reordered, sequence: sequence, detail: "holds record \(recordSequence) while record \(sequence) sits at another position (records were reordered)")
            }
            return Problem(kind: .brokenLink, sequence: sequence, detail: "previous-hash link is broken (a record before it was removed, inserted or changed)")
        }
        guard consistent != -1, recordSequence == sequence else {
            return Problem(kind: .malformedRecord, sequence: sequence, detail: "stored record is not JSON or names another sequence number")
        }
        guard consistent == 1 else {
            return Problem(kind: .columnMismatch, sequence: sequence, detail: "a query column disagrees with the hashed record (the row was edited)")
        }
        return nil
    }

    /// Finds the row, other than this one, whose record names `number` as its sequence number.
    private func otherRow(namingSequence number: Int64, in database: SQLiteDatabase) throws -> Int64? {
        try database.query(
            "SELECT seq FROM audit_log WHERE seq != ? AND (CASE WHEN json_valid(record) THEN json_extract(record, '$.seq') END) = ? LIMIT 1",
            [.integer(sequence), .integer(number)]
        ).first?.int64("seq")
    }
}
