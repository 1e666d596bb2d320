import Foundation
import MoatSQLite

extension DocumentStore {
    /// Writes one prepared document inside the caller's transaction.
    func write(_ document: PreparedDocument) throws -> IngestResult {
        let accessJSON = String(decoding: try JSONEncoder.sorted.encode(document.policy.accessList), as: UTF8.self)
        let existing = try database.query(
            "SELECT path, title, classification, access_list, content_hash, byte_count, chunk_count FROM documents WHERE id = ?",
            [.text(document.id)]
        ).first

        var outcome = IngestResult.Outcome.added
        if let existing {
            guard existing.string("path") == document.path else {
                throw DataError(
                    .documentIDCollision,
                    "\(document.path) maps to document id \(document.id), which already belongs to \(existing.string("path") ?? "another path"); rename the file"
                )
            }
            let unchanged = existing.string("content_hash") == document.contentHash
                && existing.int("byte_count") == document.byteCount
                && existing.string("title") == document.title
                && existing.string("classification") == document.policy.classification.rawValue
                && existing.string("access_list") == accessJSON
            if unchanged {
                return IngestResult(
                    documentID: document.id, path: document.path, chunkCount: existing.int("chunk_count") ?? 0, outcome: .unchanged,
                    classification: document.policy.classification
                )
            }
            try delete(documentID: document.id)
            outcome = .replaced
        }

        try insertDocumentRow(document, accessJSON: accessJSON)
        try insertChunks(document)
        return IngestResult(
            documentID: document.id, path: document.path, chunkCount: document.extracted.chunks.count, outcome: outcome,
            classification: document.policy.classification
        )
    }

    /// Removes every stored document whose path is not in `kept`; call inside a transaction.
    func deleteDocuments(notIn kept: Set<String>) throws -> [String] {
        let stored = try database.query("SELECT id, path FROM documents")
        var removed: [String] = []
        for row in stored {
            guard let id = row.string("id"), let path = row.string("path"), !kept.contains(path) else { continue }
            try delete(documentID: id)
            removed.append(path)
        }
        return removed
    }

    private func delete(documentID: String) throws {
        // Plain rowid lookups on the FTS table; no MATCH is involved.
        try database.run("DELETE FROM chunk_index WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)", [.text(documentID)])
        // Chunks and access rows go with the document (ON DELETE CASCADE).
        try database.run("DELETE FROM documents WHERE id = ?", [.text(documentID)])
    }

    private func insertDocumentRow(_ document: PreparedDocument, accessJSON: String) throws {
        let policy = document.policy
        try database.run(
            """
            INSERT INTO documents (id, path, title, format, classification, classification_rank, everyone_authenticated,
                                   access_list, content_hash, byte_count, page_count, chunk_count, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(document.id), .text(document.path), .text(document.title), .text(document.extracted.format.rawValue),
                .text(policy.classification.rawValue), .integer(Int64(policy.classification.rank)),
                .integer(policy.accessList.everyoneAuthenticated ? 1 : 0), .text(accessJSON),
                .text(document.contentHash), .integer(Int64(document.byteCount)), .integer(document.extracted.pageCount),
                .integer(Int64(document.extracted.chunks.count)), .text(ISO8601DateFormatter().string(from: clock.now())),
            ]
        )
        for group in policy.accessList.groups {
            try database.run("INSERT INTO document_access (document_id, kind, principal) VALUES (?, 'group', ?)", [.text(document.id), .text(group)])
        }
        for user in policy.accessList.users {
            try database.run("INSERT INTO document_access (document_id, kind, principal) VALUES (?, 'user', ?)", [.text(document.id), .text(user)])
        }
    }

    private func insertChunks(_ document: PreparedDocument) throws {
        let acl = AccessTokens.indexed(document.policy.accessList)
        for (ordinal, chunk) in document.extracted.chunks.enumerated() {
            try database.run(
                "INSERT INTO chunks (document_id, ordinal, page, section) VALUES (?, ?, ?, ?)",
                [.text(document.id), .integer(Int64(ordinal)), .integer(chunk.page), .text(chunk.section)]
            )
            try database.run(
                "INSERT INTO chunk_index (rowid, title, section, body, acl) VALUES (?, ?, ?, ?, ?)",
                [.integer(database.lastInsertRowID), .text(document.title), .text(chunk.section), .text(chunk.text), .text(acl)]
            )
        }
    }
}

extension JSONEncoder {
    /// Sorted keys, so equal values encode to equal text.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
