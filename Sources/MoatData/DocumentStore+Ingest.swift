import Foundation
import MoatSQLite

/// A document extracted and ready to write, before any change to the store.
struct PreparedDocument {
    var id: String
    var path: String
    var policy: DocumentPolicy
    var title: String
    var extracted: ExtractedDocument
    var contentHash: String
    var byteCount: Int
}

extension DocumentStore {
    /// Ingests every file under `directory`, recursively, in path order.
    ///
    /// All files are read and extracted first; only then is everything
    /// written in one transaction. Any bad file, missing manifest entry or
    /// invalid access list throws before the first write, so the store is
    /// left exactly as it was. Hidden files (name starting with ".") and the
    /// manifest's `ignoredPaths` are skipped with a notice in the log. A
    /// manifest entry that names no file in the folder is an error, because it
    /// is usually a misspelt path. Files removed from the folder stay in the store.
    ///
    /// - Throws: ``DataError`` with `unsupported_file_type`,
    ///   `extraction_failed`, `empty_document`, `manifest_entry_missing`,
    ///   `invalid_access_list`, `invalid_path`, `document_id_collision` or `store_failed`.
    /// - Parameter pruneMissing: when true, documents stored earlier whose file
    ///   is no longer in the folder are removed in the same transaction, so the
    ///   store mirrors the folder. Use it only when this folder is the store's
    ///   one source. Default false.
    public func ingest(directory: URL, manifest: Manifest, pruneMissing: Bool = false) throws -> [IngestResult] {
        let files = try CorpusFolder.files(in: directory, skipping: manifest.ignoredPaths, logger: logger)
        for file in files {
            _ = try DocumentFormat.forPath(file.relativePath)
        }
        let found = Set(files.map(\.relativePath))
        if let unused = manifest.entries.keys.sorted().first(where: { !found.contains($0) }) {
            throw DataError(.invalidManifest, "the manifest has an entry for \(unused), but the corpus folder has no such file; fix the path or remove the entry")
        }
        let policies = try files.map { try manifest.policy(forRelativePath: $0.relativePath) }
        var prepared: [PreparedDocument] = []
        for (file, policy) in zip(files, policies) {
            prepared.append(try prepare(file: file.url, relativePath: file.relativePath, policy: policy))
        }
        try Self.rejectDuplicateIDs(prepared)
        guard pruneMissing else { return try write(prepared) }
        let kept = Set(prepared.map(\.path))
        let (results, removed) = try storeOperation("writing \(prepared.count) documents and pruning") {
            try database.transaction {
                (try prepared.map { try write($0) }, try deleteDocuments(notIn: kept))
            }
        }
        logIngested(results)
        for path in removed {
            logger.info("document removed: no longer in the corpus folder", metadata: ["moat.data.path": path])
        }
        return results
    }

    /// Ingests one file stored under `relativePath` (the key of the manifest
    /// entry, with `/` separators). Replaces the stored chunks when the content
    /// or policy changed.
    public func ingest(file: URL, relativePath: String, policy: DocumentPolicy) throws -> IngestResult {
        let path = try CorpusFolder.validatedRelativePath(relativePath)
        let document = try prepare(file: file, relativePath: path, policy: policy)
        return try write([document])[0]
    }

    /// The document id for a relative path: 16 hex digits of FNV-1a 64 over
    /// its UTF-8 bytes. It stays the same across re-ingestion and rebuilds.
    public static func documentID(forRelativePath path: String) -> String {
        FNV1a64.hex(of: path.utf8)
    }

    private func prepare(file: URL, relativePath: String, policy: DocumentPolicy) throws -> PreparedDocument {
        try policy.accessList.validate(forPath: relativePath)
        _ = try DocumentFormat.forPath(relativePath)
        let contents: Data
        do {
            contents = try Data(contentsOf: file)
        } catch {
            throw DataError(.extractionFailed, "reading \(relativePath) failed: \(error.localizedDescription); check that the file exists and is readable")
        }
        let extracted = try extractor.extract(file: file, relativePath: relativePath, contents: contents)
        let fileName = ((relativePath as NSString).lastPathComponent as NSString).deletingPathExtension
        let title = [policy.title, extracted.heading].compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty } ?? fileName
        return PreparedDocument(
            id: Self.documentID(forRelativePath: relativePath),
            path: relativePath,
            policy: DocumentPolicy(accessList: policy.accessList.normalized, classification: policy.classification, title: policy.title),
            title: title,
            extracted: extracted,
            contentHash: FNV1a64.hex(of: contents),
            byteCount: contents.count
        )
    }

    private static func rejectDuplicateIDs(_ documents: [PreparedDocument]) throws {
        var pathByID: [String: String] = [:]
        for document in documents {
            if let other = pathByID[document.id] {
                throw DataError(.documentIDCollision, "\(document.path) and \(other) map to the same document id \(document.id); rename one of them")
            }
            pathByID[document.id] = document.path
        }
    }

    private func write(_ documents: [PreparedDocument]) throws -> [IngestResult] {
        let results = try storeOperation("writing \(documents.count) documents") {
            try database.transaction {
                try documents.map { try write($0) }
            }
        }
        logIngested(results)
        return results
    }

    private func logIngested(_ results: [IngestResult]) {
        for result in results {
            logger.info("document ingested", metadata: [
                "moat.data.document_id": result.documentID,
                "moat.data.path": result.path,
                "moat.data.outcome": result.outcome.rawValue,
                "moat.data.chunk_count": "\(result.chunkCount)",
            ])
        }
    }
}
