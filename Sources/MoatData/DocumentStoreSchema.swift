import MoatSQLite

/// Versioned schema of the document store, tracked in `PRAGMA user_version`.
///
/// The migrations run in one transaction together with the version bump,
/// so a crash leaves the store at the previous version. Append new
/// migrations; never edit a released one.
enum DocumentStoreSchema {
    static let migrations: [String] = [
        // Version 1.
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            format TEXT NOT NULL,
            classification TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
            classification_rank INTEGER NOT NULL CHECK (classification_rank BETWEEN 0 AND 3),
            everyone_authenticated INTEGER NOT NULL CHECK (everyone_authenticated IN (0, 1)),
            access_list TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            byte_count INTEGER NOT NULL,
            page_count INTEGER,
            chunk_count INTEGER NOT NULL,
            ingested_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE document_access (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('group', 'user')),
            principal TEXT NOT NULL,
            PRIMARY KEY (document_id, kind, principal)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            page INTEGER,
            section TEXT,
            UNIQUE (document_id, ordinal)
        ) STRICT;

        -- One row per chunk, rowid = chunks.id. acl holds the tokens that
        -- AccessTokens describes; search ANDs the reader's tokens into MATCH.
        CREATE VIRTUAL TABLE chunk_index USING fts5(
            title, section, body, acl,
            tokenize = 'porter unicode61'
        );
        """,
    ]

    /// Applies the missing migrations. The version is read inside the write
    /// transaction, so two processes opening a new store do not both migrate it.
    static func migrate(_ database: SQLiteDatabase) throws {
        try database.transaction {
            let current = try database.query("PRAGMA user_version").first?.values.first
            guard case .integer(let version) = current else {
                throw DataError(.storeFailed, "cannot read the schema version of the document store")
            }
            if version > Int64(migrations.count) {
                throw DataError(
                    .storeFailed,
                    "the document store has schema version \(version) but this build knows only up to \(migrations.count); use a newer Moat"
                )
            }
            for (index, script) in migrations.enumerated() where Int64(index + 1) > version {
                try database.execute(script)
                try database.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
