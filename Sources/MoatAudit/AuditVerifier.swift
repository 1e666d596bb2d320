import Foundation
import MoatCrypto
import MoatSQLite

/// Checks an audit log: the signed checkpoint chain, the record hash chain
/// against it, and the tail against the newest checkpoint and the anchor.
///
/// What is detected, given the trusted public keys:
/// - an edited, removed, inserted or reordered record, at the first record affected;
/// - the same after the chain was recomputed, at the first checkpoint covering it;
/// - records removed from the tail up to the newest checkpoint in the database,
///   or in the anchor when one is given;
/// - a replaced, removed, reordered or foreign-signed checkpoint.
///
/// Not detected: removal of records newer than every checkpoint the verifier
/// reads (at most N records or T seconds' worth without an anchor), and
/// anything re-signed with the trusted key itself.
public enum AuditVerifier {
    /// Records read per query.
    static let pageSize = 2000

    /// Opens the file read-only and verifies it.
    ///
    /// - Throws: ``AuditError`` `audit_log_missing` when there is no file and
    ///   `audit_log_unreadable` when it is not an audit database or SQLite reports damage.
    public static func verify(path: String, options: AuditVerifyOptions = AuditVerifyOptions()) throws -> AuditVerification {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AuditError(code: "audit_log_missing", "no audit log at \(path); pass the data folder the api writes to")
        }
        do {
            let database = try SQLiteDatabase(path: path, readOnly: true)
            return try verify(database, options: options)
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(code: "audit_log_unreadable", "the audit log at \(path) cannot be read: \(error)")
        }
    }

    static func verify(_ database: SQLiteDatabase, options: AuditVerifyOptions) throws -> AuditVerification {
        let tables = Set(try database.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") })
        guard tables.contains("audit_log") else {
            throw AuditError(code: "audit_log_unreadable", "\(database.path) has no audit_log table, so it is not an audit log; pass the audit.sqlite file the api writes")
        }
        // Logs written before checkpoints existed have no checkpoint table; they verify by the chain alone.
        let chain = tables.contains("audit_checkpoints") ? try readCheckpoints(database, keys: options.trustedKeys) : CheckpointChain()
        var verification = AuditVerification(
            recordCount: 0, firstSequence: nil, lastSequence: nil, headHash: AuditLog.genesisHash,
            checkpointCount: chain.count, signaturesChecked: !options.trustedKeys.isEmpty, uncoveredRecordCount: 0,
            problems: chain.problems, notes: []
        )
        if options.trustedKeys.isEmpty, chain.count > 0 {
            verification.notes.append("checkpoint signatures were not checked: no trusted public key was given")
        }

        let released = chain.truncation ?? (through: 0, hash: AuditLog.genesisHash)
        var start = (sequence: released.through + 1, previousHash: released.hash)
        if let from = options.fromSequence, from > start.sequence,
           let anchor = chain.trusted.filter({ $0.toSequence < from && $0.toSequence >= released.through }).max(by: { $0.toSequence < $1.toSequence }) {
            start = (anchor.toSequence + 1, anchor.lastHash)
        }
        if let from = options.fromSequence, from <= released.through {
            verification.notes.append("records up to \(released.through) were deleted by retention; checking from \(released.through + 1)")
        }
        var end = Int64.max
        if let to = options.toSequence {
            end = chain.trusted.filter { $0.toSequence >= to }.map(\.toSequence).min() ?? .max
        }

        let checkpointsByEnd = Dictionary(grouping: chain.trusted, by: \.toSequence)
        try walkRecords(database, from: start, through: end, checkpoints: checkpointsByEnd, into: &verification)

        let tip = try database.query("SELECT max(seq) AS n FROM audit_log").first?.int64("n") ?? released.through
        verification.problems += tailProblems(chain: chain, anchor: options.anchor, keys: options.trustedKeys, tip: tip)
        let newest = chain.trusted.max { $0.number < $1.number }
        verification.uncoveredRecordCount = max(0, tip - (newest?.toSequence ?? 0))
        if let newest {
            let silence = options.now.timeIntervalSince(newest.time)
            if newest.kind != .stop, silence > Double(2 * max(1, newest.intervalSeconds)) + 60 {
                verification.notes.append(
                    "the newest checkpoint (\(newest.number)) is \(Int(silence)) s old although the writer signs one every \(newest.intervalSeconds) s: "
                        + "if the api ran since, checkpoints and the records after them may have been removed; compare with an anchor"
                )
            }
        }
        return verification
    }

    /// Walks the records from `start` in sequence order, stopping at the first problem.
    static func walkRecords(
        _ database: SQLiteDatabase, from start: (sequence: Int64, previousHash: String), through end: Int64,
        checkpoints: [Int64: [AuditCheckpoint]], into verification: inout AuditVerification
    ) throws {
        var expected = start.sequence
        var previousHash = start.previousHash
        verification.headHash = previousHash
        var after = start.sequence - 1
        while after < end {
            let rows = try database.query(RecordCheck.sql, [.integer(after), .integer(end), .integer(Int64(pageSize))])
            for row in rows {
                let check = RecordCheck(row)
                verification.recordCount += 1
                verification.firstSequence = verification.firstSequence ?? check.sequence
                if let problem = try check.problem(expected: expected, previousHash: previousHash, database: database) {
                    verification.problems.append(problem)
                    return
                }
                for checkpoint in checkpoints[check.sequence] ?? [] where checkpoint.lastHash != check.hash {
                    verification.problems.append(.init(
                        kind: .checkpointMismatch, sequence: check.sequence, checkpoint: checkpoint.number,
                        detail: "the record's hash differs from the one checkpoint \(checkpoint.number) signed (a record up to here was changed and the chain recomputed)"
                    ))
                    return
                }
                previousHash = check.hash
                expected = check.sequence + 1
                verification.lastSequence = check.sequence
                verification.headHash = previousHash
            }
            guard rows.count == pageSize, let last = rows.last?.int64("seq") else { return }
            after = last
        }
    }
}
