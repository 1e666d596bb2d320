import Foundation
import MoatCore
import MoatSQLite

/// Documents, their chunks and their access rules in one SQLite file, with
/// full-text retrieval that only ever returns what the reader may read.
///
/// Access lists and classifications are stored as FTS5 tokens beside each
/// chunk, and every search ANDs the reader's tokens into the MATCH
/// expression, so the filter runs inside the query before ranking.
/// Safe to use from several threads: calls are serialised on one connection.
public final class DocumentStore: Sendable {
    let database: SQLiteDatabase
    let logger: Logger
    let clock: any WallClock
    let extractor: TextExtractor

    /// Opens the store at `path`, creating the file (mode 0600) and schema when missing.
    ///
    /// - Parameters:
    ///   - pdftotextPath: `pdftotext` executable for PDFs; nil searches `PATH`.
    ///   - clock: source of the ingestion timestamps.
    /// - Throws: `store_failed` when the file cannot be opened, is not a
    ///   SQLite database, or was created by a newer schema version.
    public init(path: String, logger: Logger = .disabled, pdftotextPath: String? = nil, clock: any WallClock = SystemClock()) throws {
        self.logger = logger
        self.clock = clock
        self.extractor = TextExtractor(pdf: PDFTextExtractor(executablePath: pdftotextPath), chunker: Chunker())
        do {
            database = try SQLiteDatabase(path: path)
        } catch {
            throw DataError(.storeFailed, "opening the document store at \(path) failed: \(error); check the path, or move a damaged file aside")
        }
        try storeOperation("migrating the document store at \(path)") {
            try DocumentStoreSchema.migrate(database)
        }
    }

    /// The number of documents stored.
    public func documentCount() throws -> Int {
        try storeOperation("counting documents") {
            try database.query("SELECT count(*) AS n FROM documents").first?.int("n") ?? 0
        }
    }

    /// The number of chunks stored, over all documents.
    public func chunkCount() throws -> Int {
        try storeOperation("counting chunks") {
            try database.query("SELECT count(*) AS n FROM chunks").first?.int("n") ?? 0
        }
    }

    /// Returns the summary of document `id` when `scope` may read it.
    ///
    /// Returns nil both when the document does not exist and when the reader
    /// may not read it, so a caller answers 404 either way and reveals nothing.
    public func document(id: String, scope: ReaderScope) throws -> DocumentSummary? {
        try scope.validate()
        let groups = String(decoding: try JSONEncoder().encode(scope.effectiveGroups), as: UTF8.self)
        let rows = try storeOperation("reading document \(id)") {
            try database.query(
                """
                SELECT d.id, d.path, d.title, d.classification, d.page_count, d.chunk_count
                FROM documents d
                WHERE d.id = ?
                  AND d.classification_rank <= ?
                  AND (d.everyone_authenticated = 1
                       OR EXISTS (SELECT 1 FROM document_access a
                                  WHERE a.document_id = d.id
                                    AND ((a.kind = 'group' AND a.principal IN (SELECT value FROM json_each(?)))
                                         OR (a.kind = 'user' AND a.principal = ?))))
                """,
                [.text(id), .integer(Int64(scope.clearance.rank)), .text(groups), .text(scope.userID)]
            )
        }
        return try rows.first.map(Self.summary)
    }

    static func summary(from row: SQLiteRow) throws -> DocumentSummary {
        guard let id = row.string("id"), let path = row.string("path"), let title = row.string("title"),
              let classification = row.string("classification").flatMap(Classification.init(rawValue:)),
              let chunkCount = row.int("chunk_count")
        else {
            throw DataError(.storeFailed, "a document row is incomplete; run PRAGMA integrity_check on the store")
        }
        return DocumentSummary(
            documentID: id, path: path, title: title, classification: classification,
            pageCount: row.int("page_count"), chunkCount: chunkCount
        )
    }

    /// Runs `body`, turning an ``SQLiteError`` into `store_failed` that names `operation`.
    func storeOperation<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            logger.error("document store operation failed", metadata: ["moat.data.operation": operation, "moat.error": "\(error)"])
            throw DataError(.storeFailed, "\(operation) failed: \(error)")
        }
    }
}
