import Foundation
import MoatSQLite

/// The refresh tokens the dev identity provider issued and the token
/// families it revoked, in an SQLite file, so that a restarted provider
/// still redeems the refresh tokens it issued, as a hosted identity provider
/// does. Tokens are stored as SHA-256 digests only, so the file contains no
/// usable token. A new file gets mode 0600.
public final class RefreshGrantFile: Sendable {
    private let database: SQLiteDatabase

    /// Opens or creates the file at `path`.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened or is not an SQLite database.
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        try database.execute("""
            CREATE TABLE IF NOT EXISTS refresh_grants (
                digest BLOB PRIMARY KEY,
                family_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                scopes TEXT NOT NULL,
                user_object_id TEXT NOT NULL,
                issued_at REAL NOT NULL,
                rotated INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS revoked_families (
                family_id TEXT PRIMARY KEY,
                revoked_at REAL NOT NULL
            ) WITHOUT ROWID;
            """)
    }

    func grant(digest: Data) throws -> RefreshGrant? {
        let rows = try database.query(
            "SELECT family_id, client_id, scopes, user_object_id, issued_at, rotated FROM refresh_grants WHERE digest = ?", [.blob(digest)]
        )
        guard let row = rows.first, let familyID = row.string("family_id"), let clientID = row.string("client_id"),
              let scopes = row.string("scopes"), let userObjectID = row.string("user_object_id"), let issuedAt = row.double("issued_at")
        else { return nil }
        return RefreshGrant(
            familyID: familyID, clientID: clientID, scopes: scopes.split(separator: " ").map(String.init), userObjectID: userObjectID,
            issuedAt: Date(timeIntervalSince1970: issuedAt), rotated: row.int64("rotated") == 1
        )
    }

    /// Stores `grant` under `digest`, replacing an earlier state of the same token.
    func save(_ grant: RefreshGrant, digest: Data) throws {
        // Scopes never contain spaces (RFC 6749 §3.3), so a space joins them.
        try database.run(
            "INSERT OR REPLACE INTO refresh_grants (digest, family_id, client_id, scopes, user_object_id, issued_at, rotated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .blob(digest), .text(grant.familyID), .text(grant.clientID), .text(grant.scopes.joined(separator: " ")),
                .text(grant.userObjectID), .real(grant.issuedAt.timeIntervalSince1970), .integer(grant.rotated ? 1 : 0),
            ]
        )
    }

    func revoke(family: String, at time: Date) throws {
        try database.run("INSERT OR IGNORE INTO revoked_families (family_id, revoked_at) VALUES (?, ?)", [.text(family), .real(time.timeIntervalSince1970)])
    }

    func isRevoked(family: String) throws -> Bool {
        try !database.query("SELECT 1 FROM revoked_families WHERE family_id = ?", [.text(family)]).isEmpty
    }

    /// Deletes grants issued before `cutoff`, which can no longer be redeemed,
    /// and revocations older than it. A revoked family gets no new grants, so
    /// its last grant expires at most one lifetime after the revocation.
    func purge(before cutoff: Date) throws {
        let time = SQLiteValue.real(cutoff.timeIntervalSince1970)
        try database.transaction {
            try database.run("DELETE FROM refresh_grants WHERE issued_at < ?", [time])
            try database.run("DELETE FROM revoked_families WHERE revoked_at < ?", [time])
        }
    }
}
