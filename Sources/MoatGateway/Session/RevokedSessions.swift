import Foundation
import MoatCore
import MoatCrypto
import MoatSQLite

/// The sessions signed out before their absolute timeout, checked on every request.
///
/// Without a file the list lives in this process only. With a file, an
/// SQLite database, a sign-out survives a restart. Gateway processes that
/// share the file (one data folder on one host) also see each other's
/// sign-outs within ``refreshInterval`` seconds, because a check reads the
/// rows added since the last read once that interval has passed.
///
/// The file stores the SHA-256 of each session id, never the id, and each
/// row's expiry, the session's absolute timeout. Expired rows are deleted when
/// the file is opened and when a session is revoked.
final class RevokedSessions: Sendable {
    /// Seconds between reads of other processes' sign-outs.
    static let refreshInterval: Int64 = 5

    private struct State {
        /// Expiry in Unix seconds, by the SHA-256 of the session id.
        var expiries: [SHA256Digest: Int64] = [:]
        /// The highest row id read from the file; later rows are new.
        var lastRowID: Int64 = 0
        var refreshedAt: Int64 = .min
    }

    private let database: SQLiteDatabase?
    private let state = LockedValue(State())
    private let logger: Logger

    /// Opens the list, loading the unexpired sign-outs from `file` when one is given.
    ///
    /// - Throws: ``GatewayError`` `invalid_configuration` when the file cannot
    ///   be opened or created, or is not a sign-out database.
    init(file: String?, now: Int64, logger: Logger) throws(GatewayError) {
        self.logger = logger
        guard let file else {
            database = nil
            return
        }
        do {
            let database = try SQLiteDatabase(path: file)
            // AUTOINCREMENT keeps row ids rising even after the newest row was
            // deleted, which the incremental read by row id relies on.
            try database.execute("""
                CREATE TABLE IF NOT EXISTS revoked_session (
                    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_hash BLOB NOT NULL UNIQUE,
                    expires_at INTEGER NOT NULL
                )
                """)
            try database.run("DELETE FROM revoked_session WHERE expires_at <= ?", [.integer(now)])
            self.database = database
        } catch {
            throw GatewayError(
                .invalidConfiguration,
                "the sign-out list \(file) cannot be opened (\(error)); check that the data folder is writable, or move the damaged file away"
            )
        }
        state.withLock { state in
            refresh(&state, now: now)
        }
    }

    /// Returns whether the session with `sessionID` was signed out, here or,
    /// with a file, in another process up to ``refreshInterval`` seconds ago.
    func isRevoked(_ sessionID: String, now: Int64) -> Bool {
        isRevoked(key: Self.key(for: sessionID), now: now)
    }

    /// ``isRevoked(_:now:)`` for a session known by ``key(for:)`` of its id.
    func isRevoked(key hash: SHA256Digest, now: Int64) -> Bool {
        state.withLock { state in
            if database != nil, now - state.refreshedAt >= Self.refreshInterval || now < state.refreshedAt {
                refresh(&state, now: now)
            }
            guard let expiresAt = state.expiries[hash] else { return false }
            return expiresAt > now
        }
    }

    /// Signs out the session with `sessionID` until `expiresAt` (Unix seconds).
    ///
    /// A failure to write the file is logged. The session stays signed out in
    /// this process, but another process or a restart would accept it again.
    func revoke(_ sessionID: String, until expiresAt: Int64, now: Int64) {
        let hash = Self.key(for: sessionID)
        state.withLock { state in
            state.expiries = state.expiries.filter { $0.value > now }
            state.expiries[hash] = expiresAt
        }
        guard let database else { return }
        do {
            try database.transaction {
                try database.run("DELETE FROM revoked_session WHERE expires_at <= ?", [.integer(now)])
                try database.run(
                    "INSERT OR IGNORE INTO revoked_session (session_hash, expires_at) VALUES (?, ?)",
                    [.blob(hash.bytes), .integer(expiresAt)])
            }
        } catch {
            logger.error("sign-out could not be stored", metadata: ["moat.gateway.revocation_file": database.path, "moat.error": "\(error)"])
        }
    }

    /// Reads the rows added since the last read. A failed read is logged and
    /// retried after the next interval, and the sign-outs read so far still apply.
    private func refresh(_ state: inout State, now: Int64) {
        guard let database else { return }
        state.refreshedAt = now
        do {
            let rows = try database.query(
                "SELECT row_id, session_hash, expires_at FROM revoked_session WHERE row_id > ? ORDER BY row_id",
                [.integer(state.lastRowID)])
            for row in rows {
                guard let rowID = row.int64("row_id"), let stored = row.data("session_hash"), let hash = SHA256Digest(bytes: stored),
                      let expiresAt = row.int64("expires_at")
                else { continue }
                state.lastRowID = max(state.lastRowID, rowID)
                if expiresAt > now {
                    state.expiries[hash] = expiresAt
                }
            }
        } catch {
            logger.error("sign-out list could not be read", metadata: ["moat.gateway.revocation_file": database.path, "moat.error": "\(error)"])
        }
    }

    /// Returns the SHA-256 of a session id, which the list and its file store instead of the id.
    static func key(for sessionID: String) -> SHA256Digest {
        SHA256Digest(hashing: sessionID)
    }
}
