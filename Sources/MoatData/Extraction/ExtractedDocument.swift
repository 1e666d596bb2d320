import Foundation

/// A file's text, split into chunks ready for indexing.
struct ExtractedDocument: Sendable {
    struct Chunk: Sendable, Equatable {
        var page: Int?
        var section: String?
        var text: String
    }

    var format: DocumentFormat
    /// First heading found in the file, if any.
    var heading: String?
    var pageCount: Int?
    var chunks: [Chunk]
}

/// The file formats the store can index, chosen by file extension.
enum DocumentFormat: String, Sendable {
    case markdown
    case text
    case html
    case pdf

    /// Returns the format for the extension of `path`, case-insensitively.
    /// - Throws: `unsupported_file_type` naming the file.
    static func forPath(_ path: String) throws -> DocumentFormat {
        switch (path as NSString).pathExtension.lowercased() {
        case "md", "markdown": return .markdown
        case "txt": return .text
        case "html", "htm": return .html
        case "pdf": return .pdf
        default:
            throw DataError(
                .unsupportedFileType,
                "\(path) is not a supported file type (.md, .txt, .html, .htm, .pdf); convert it, move it out of the folder, or list it under ignore in the manifest"
            )
        }
    }
}

/// Reads a file and turns it into chunks according to its format.
struct TextExtractor: Sendable {
    var pdf: PDFTextExtractor
    var chunker: Chunker

    func extract(file: URL, relativePath: String, contents: Data) throws -> ExtractedDocument {
        let format = try DocumentFormat.forPath(relativePath)
        let document: ExtractedDocument
        switch format {
        case .pdf:
            let pages = try pdf.pages(of: file, relativePath: relativePath)
            document = ExtractedDocument(format: format, heading: nil, pageCount: pages.count, chunks: chunker.chunkPages(pages))
        case .markdown:
            let sections = MarkdownSections.split(try Self.decodeText(contents, relativePath: relativePath))
            document = ExtractedDocument(
                format: format,
                heading: sections.first(where: { $0.heading != nil })?.heading,
                pageCount: nil,
                chunks: chunker.chunkSections(sections)
            )
        case .html:
            let html = HTMLText.extract(try Self.decodeText(contents, relativePath: relativePath))
            document = ExtractedDocument(format: format, heading: html.heading, pageCount: nil, chunks: chunker.chunkText(html.text))
        case .text:
            let text = try Self.decodeText(contents, relativePath: relativePath)
            document = ExtractedDocument(format: format, heading: nil, pageCount: nil, chunks: chunker.chunkText(text))
        }

        guard !document.chunks.isEmpty else {
            throw DataError(.emptyDocument, "\(relativePath) contains no text to index; remove it or add text (a scanned PDF needs OCR first)")
        }
        return document
    }

    /// Decodes UTF-8, dropping a byte-order mark.
    /// - Throws: `extraction_failed` when the bytes are not valid UTF-8.
    static func decodeText(_ contents: Data, relativePath: String) throws -> String {
        guard var text = String(data: contents, encoding: .utf8) else {
            throw DataError(.extractionFailed, "\(relativePath) is not valid UTF-8 text; convert it to UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") {
            text.removeFirst()
        }
        return text
    }
}
