import Foundation
import MoatSQLite

extension DocumentStore {
    /// BM25 column weights for title, section, body, acl and cls. The access
    /// columns weigh 0, so the reader's access tokens never change the ranking.
    static let columnWeights = "2.0, 1.5, 1.0, 0.0, 0.0"
    /// Upper bound on `limit`, which keeps one request's response bounded.
    public static let maxSearchLimit = 100

    /// Returns up to `limit` passages for `query` from documents that `scope`
    /// may read and whose classification is at or below its clearance, best first.
    ///
    /// The query text is reduced to plain words (see the store's query rules:
    /// no FTS5 syntax passes through). A query with no words left, or a
    /// `limit` below 1, returns no passages. `limit` is capped at ``maxSearchLimit``.
    /// - Throws: `invalid_reader_scope` for an empty user id, `store_failed` when SQLite fails.
    public func search(_ query: String, scope: ReaderScope, limit: Int = 10) throws -> [Passage] {
        try scope.validate()
        let terms = FullTextQuery.terms(from: query)
        guard limit > 0, let match = FullTextQuery.matchExpression(terms: terms, scope: scope) else {
            return []
        }

        let rows = try storeOperation("searching") {
            try database.query(
                """
                WITH hits AS (
                    SELECT rowid AS chunk_id, body, bm25(chunk_index, \(Self.columnWeights)) AS rank_value
                    FROM chunk_index
                    WHERE chunk_index MATCH ?
                    ORDER BY rank_value
                    LIMIT ?
                )
                SELECT d.id, d.path, d.title, d.classification, c.page, c.section, hits.body, hits.rank_value
                FROM hits
                JOIN chunks c ON c.id = hits.chunk_id
                JOIN documents d ON d.id = c.document_id
                -- Repeats the clearance check on the document row; MATCH already excluded these chunks.
                WHERE d.classification_rank <= ?
                ORDER BY hits.rank_value, c.id
                """,
                [.text(match), .integer(Int64(min(limit, Self.maxSearchLimit))), .integer(Int64(scope.clearance.rank))]
            )
        }
        return try rows.map(Self.passage)
    }

    private static func passage(from row: SQLiteRow) throws -> Passage {
        guard let id = row.string("id"), let path = row.string("path"), let title = row.string("title"),
              let classification = row.string("classification").flatMap(Classification.init(rawValue:)),
              let text = row.string("body"), let rank = row.double("rank_value")
        else {
            throw DataError(.storeFailed, "a search result row is incomplete; run PRAGMA integrity_check on the store")
        }
        return Passage(
            documentID: id, path: path, title: title, page: row.int("page"), section: row.string("section"),
            text: text, score: -rank, classification: classification
        )
    }
}
