/// A failure of ingestion, search or the store itself.
///
/// `code` is stable and meant for programs; `reason` names the file or
/// value at fault and what to do about it.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The file's extension is not one of .md, .txt, .html, .htm or .pdf.
        case unsupportedFileType = "unsupported_file_type"
        /// Reading the file or converting it to text failed.
        case extractionFailed = "extraction_failed"
        /// The file contains no text to index.
        case emptyDocument = "empty_document"
        /// The manifest has no entry for a file and no default policy.
        case manifestEntryMissing = "manifest_entry_missing"
        /// An access list grants nobody, or names an empty group or user.
        case invalidAccessList = "invalid_access_list"
        /// The manifest itself is malformed.
        case invalidManifest = "invalid_manifest"
        /// A relative path is empty, absolute or leaves the corpus folder.
        case invalidPath = "invalid_path"
        /// The reader scope has no user id.
        case invalidReaderScope = "invalid_reader_scope"
        /// Two paths map to the same document id.
        case documentIDCollision = "document_id_collision"
        /// SQLite failed to open, read or write the store.
        case storeFailed = "store_failed"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
