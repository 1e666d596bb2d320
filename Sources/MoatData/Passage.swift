/// One retrieved chunk of a document the reader may read.
public struct Passage: Sendable, Equatable, Codable {
    public var documentID: String
    public var path: String
    public var title: String
    /// 1-based page number for PDF chunks; nil for other formats.
    public var page: Int?
    /// Heading of the Markdown section the chunk comes from.
    public var section: String?
    public var text: String
    /// Relevance, higher is better: the negated FTS5 BM25 value, raised for
    /// documents whose title words the query names.
    public var score: Double
    public var classification: Classification
}

/// Stored facts about one document, without its text.
public struct DocumentSummary: Sendable, Codable, Equatable {
    public var documentID: String
    public var path: String
    public var title: String
    public var classification: Classification
    /// Number of pages for a PDF; nil for other formats.
    public var pageCount: Int?
    public var chunkCount: Int
}

/// The result of ingesting one file.
public struct IngestResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The path was not in the store.
        case added
        /// The content or the policy changed, so the chunks were rewritten.
        case replaced
        /// Content and policy are the same as stored; nothing was written.
        case unchanged
    }

    public var documentID: String
    public var path: String
    public var chunkCount: Int
    public var outcome: Outcome
    /// The classification the document was stored with.
    public var classification: Classification = .internal
}
