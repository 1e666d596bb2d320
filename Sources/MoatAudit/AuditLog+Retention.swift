import Foundation
import MoatSQLite

/// The result of one retention run.
public struct RetentionOutcome: Sendable, Equatable {
    /// Records up to this sequence number are gone.
    public var deletedThrough: Int64
    public var deletedCount: Int
    /// The signed truncation checkpoint that released them.
    public var checkpoint: SignedAuditCheckpoint
}

extension AuditLog {
    /// Deletes the oldest records, those before the first record stamped at or after
    /// `cutoff`, after signing a truncation checkpoint that names the last deleted
    /// record and its hash. The verifier starts the chain from that hash, so the rest
    /// still verifies. Both happen in one transaction.
    ///
    /// Records are deleted as a prefix of the chain: a record older than `cutoff`
    /// that follows a newer one is kept until the newer one expires too.
    ///
    /// - Returns: nil when no record is older than `cutoff`.
    /// - Throws: ``AuditError`` `invalid_configuration` when the log has no signing key,
    ///   because deleting without a signed statement would look like tampering;
    ///   `audit_write_failed` when the transaction fails.
    public func applyRetention(before cutoff: Date) throws -> RetentionOutcome? {
        guard store.signer != nil else {
            throw AuditError(code: "invalid_configuration", "retention needs a checkpoint signing key, so that the deletion is signed")
        }
        let database = store.database
        let cutoffText = cutoff.formatted(AuditEntry.timeFormat)
        let outcome: RetentionOutcome? = try Self.wrapWriteError {
            try database.transaction {
                guard let first = try database.query("SELECT min(seq) AS n FROM audit_log").first?.int64("n") else { return nil }
                let tip = try store.tip()
                let firstKept = try database.query("SELECT min(seq) AS n FROM audit_log WHERE time >= ?", [.text(cutoffText)])
                    .first?.int64("n")
                let through = (firstKept ?? tip.sequence + 1) - 1
                guard through >= first,
                      let hash = try database.query("SELECT hash FROM audit_log WHERE seq = ?", [.integer(through)]).first?.string("hash")
                else { return nil }
                let checkpoint = try store.insertCheckpoint(
                    kind: .truncation, tip: tip, after: try store.lastCheckpointRow(), truncation: (through, hash, cutoff)
                )
                try database.run("DELETE FROM audit_log WHERE seq <= ?", [.integer(through)])
                return RetentionOutcome(deletedThrough: through, deletedCount: database.changes, checkpoint: checkpoint)
            }
        }
        if let outcome {
            store.writeAnchor(outcome.checkpoint)
            store.logger.notice("audit records deleted by retention", metadata: [
                "moat.audit.deleted_through": "\(outcome.deletedThrough)", "moat.audit.deleted": "\(outcome.deletedCount)",
            ])
        }
        return outcome
    }
}
