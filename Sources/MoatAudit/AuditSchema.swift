import MoatSQLite

/// Tables, indexes and append-only triggers of the audit database.
///
/// `audit_log` has one row per record: the canonical JSON in `record`, the
/// chain hashes, and copies of the fields that searches filter on (checked
/// against the record by the verifier). `audit_checkpoints` contains the signed
/// checkpoints. Triggers reject UPDATE on both tables, DELETE on checkpoints,
/// and DELETE on records that no truncation checkpoint has released.
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
            CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time);
            CREATE TABLE IF NOT EXISTS audit_checkpoints (
                number INTEGER PRIMARY KEY,
                to_seq INTEGER NOT NULL,
                truncated_through INTEGER,
                body TEXT NOT NULL,
                signature TEXT NOT NULL
            );
            CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
            DROP TRIGGER IF EXISTS audit_log_no_delete;
            CREATE TRIGGER IF NOT EXISTS audit_log_delete_truncated_only BEFORE DELETE ON audit_log
            WHEN OLD.seq > coalesce((SELECT max(truncated_through) FROM audit_checkpoints), 0)
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is allowed only for records a truncation checkpoint released'); END;
            CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only: UPDATE is not allowed'); END;
            CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only: DELETE is not allowed'); END;
            """
        )
    }

    /// Every trigger name, for tests and tools that must bypass them.
    static let triggerNames = [
        "audit_log_no_update", "audit_log_delete_truncated_only", "audit_checkpoints_no_update", "audit_checkpoints_no_delete",
    ]
}
