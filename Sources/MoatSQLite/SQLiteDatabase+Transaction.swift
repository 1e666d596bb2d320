import CSQLite
import Foundation

extension SQLiteDatabase {
    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (the write lock is
    /// taken up front, so the body never fails half-way with SQLITE_BUSY),
    /// `COMMIT` when `body` returns, `ROLLBACK` when it throws.
    ///
    /// Calls nested inside `body` become savepoints, so an inner failure that
    /// the outer body catches undoes only the inner changes. Other threads
    /// wait until the transaction ends.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }

        let savepoint: String?
        if savepointDepth == 0 {
            savepoint = nil
            try execute("BEGIN IMMEDIATE")
        } else {
            savepoint = "moat_savepoint_\(savepointDepth)"
            try execute("SAVEPOINT \(savepoint!)")
        }
        savepointDepth += 1
        defer { savepointDepth -= 1 }

        do {
            let result = try body()
            try execute(savepoint.map { "RELEASE \($0)" } ?? "COMMIT")
            return result
        } catch {
            if let savepoint {
                try? execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
            } else if let handle, sqlite3_get_autocommit(handle) == 0 {
                // SQLite may already have rolled back (for example after SQLITE_FULL).
                try? execute("ROLLBACK")
            }
            throw error
        }
    }
}
