import Foundation
import MoatSQLite

extension DocumentStore {
    /// BM25 column weights for title, section, body and acl. The access
    /// column weighs 0, so the reader's access tokens never change the ranking.
    static let columnWeights = "2.0, 1.5, 1.0, 0.0"
    /// Upper bound on `limit`, which keeps one request's response bounded.
    public static let maxSearchLimit = 100

    /// Returns up to `limit` passages for `query` from documents that `scope`
    /// may read and whose classification is at or below its clearance, best first.
    ///
    /// The query text is reduced to plain quoted words, so no FTS5 syntax
    /// passes through (see `FullTextQuery`). A query with no words left, or a
    /// `limit` below 1, returns no passages. `limit` is capped at ``maxSearchLimit``.
    /// - Throws: `invalid_reader_scope` for an empty user id, `store_failed` when SQLite fails.
    public func search(_ query: String, scope: ReaderScope, limit: Int = 10) throws -> [Passage] {
        try scope.validate()
        let parsed = FullTextQuery.parse(query)
        guard limit > 0, let match = FullTextQuery.matchExpression(for: parsed, scope: scope) else {
            return []
        }
        let limit = min(limit, Self.maxSearchLimit)

        // Access is filtered by tokens inside MATCH, and classification by a
        // WHERE on the joined document row in the same statement. Classification
        // tokens in MATCH were slower because each level's token list covers a
        // large share of all chunks. Measured with 50,000 synthetic chunks and
        // 3-word queries: 2.2 ms median with tokens, 0.7 ms with the join
        // (SQLite 3.40.1 through Python's sqlite3, one core of an AMD EPYC VM).
        let rows = try storeOperation("searching") {
            try database.query(
                """
                SELECT d.id, d.path, d.title, d.classification, c.page, c.section, chunk_index.body,
                       bm25(chunk_index, \(Self.columnWeights)) AS rank_value
                FROM chunk_index
                JOIN chunks c ON c.id = chunk_index.rowid
                JOIN documents d ON d.id = c.document_id
                WHERE chunk_index MATCH ?
                  AND d.classification_rank <= ?
                ORDER BY rank_value, c.id
                LIMIT ?
                """,
                [.text(match), .integer(Int64(scope.clearance.rank)), .integer(Int64(max(limit, Self.rerankCandidates)))]
            )
        }
        let candidates = try rows.map(Self.passage)
        return Array(Self.boostingTitleMatches(candidates, terms: parsed.terms).prefix(limit))
    }

    /// Candidates fetched by BM25 before the title boost reorders them.
    static let rerankCandidates = 50
    /// How much a title fully named in the query multiplies a passage's score.
    static let titleBoost = 2.0

    /// Reorders passages so that documents whose title words the query
    /// names rank higher: score × (1 + titleBoost × share of title words in the query).
    ///
    /// BM25 alone cannot do this because a document's title words occur in
    /// every one of its chunks and so have almost no inverse document
    /// frequency. Only passages that already passed the access filter are reordered.
    static func boostingTitleMatches(_ passages: [Passage], terms: [String]) -> [Passage] {
        let queryTerms = Set(terms)
        var shareByTitle: [String: Double] = [:]
        let boosted = passages.map { passage -> Passage in
            let share = shareByTitle[passage.title] ?? {
                let titleTerms = Set(FullTextQuery.terms(from: passage.title))
                let share = titleTerms.isEmpty ? 0 : Double(titleTerms.intersection(queryTerms).count) / Double(titleTerms.count)
                shareByTitle[passage.title] = share
                return share
            }()
            var passage = passage
            passage.score *= 1 + titleBoost * share
            return passage
        }
        // Stable: equal scores keep the BM25 order.
        return boosted.enumerated().sorted { left, right in
            left.element.score != right.element.score ? left.element.score > right.element.score : left.offset < right.offset
        }.map(\.element)
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
