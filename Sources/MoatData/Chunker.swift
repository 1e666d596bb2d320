import Foundation

/// Cuts extracted text into the passages that are indexed and returned.
///
/// Chunks follow the document's own structure: a PDF page, a Markdown
/// section, or consecutive paragraphs. Text longer than the limit is split
/// at paragraph, then sentence, then word boundaries.
struct Chunker: Sendable {
    /// Maximum characters of a text or HTML chunk, and of a Markdown section part.
    var maxCharacters = 1500
    /// Maximum characters of a PDF page chunk; longer pages become several chunks with the same page number.
    var maxPageCharacters = 4000

    func chunkPages(_ pages: [String]) -> [ExtractedDocument.Chunk] {
        pages.enumerated().flatMap { offset, page in
            pack(paragraphs(of: page), limit: maxPageCharacters).map { ExtractedDocument.Chunk(page: offset + 1, section: nil, text: $0) }
        }
    }

    func chunkSections(_ sections: [MarkdownSections.Section]) -> [ExtractedDocument.Chunk] {
        sections.flatMap { section in
            pack(paragraphs(of: section.body), limit: maxCharacters).map { ExtractedDocument.Chunk(page: nil, section: section.heading, text: $0) }
        }
    }

    func chunkText(_ text: String) -> [ExtractedDocument.Chunk] {
        pack(paragraphs(of: text), limit: maxCharacters).map { ExtractedDocument.Chunk(page: nil, section: nil, text: $0) }
    }

    /// Paragraphs separated by blank lines, each with its lines joined by single spaces.
    func paragraphs(of text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(Substring(trimmed))
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        return paragraphs.map(HTMLText.normalizeSpaces).filter { !$0.isEmpty }
    }

    /// Joins consecutive paragraphs while the result stays within `limit` characters.
    func pack(_ paragraphs: [String], limit: Int) -> [String] {
        var chunks: [String] = []
        var current = ""
        for paragraph in paragraphs.flatMap({ split($0, limit: limit) }) {
            if current.isEmpty {
                current = paragraph
            } else if current.count + 2 + paragraph.count <= limit {
                current += "\n\n" + paragraph
            } else {
                chunks.append(current)
                current = paragraph
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Splits one paragraph longer than `limit` at the last sentence end, else
    /// the last space, before the limit; a single longer word is cut hard.
    private func split(_ paragraph: String, limit: Int) -> [String] {
        var parts: [String] = []
        var rest = Substring(paragraph)
        while rest.count > limit {
            let window = rest.prefix(limit)
            let sentenceEnd = window.range(of: ". ", options: .backwards).map { $0.lowerBound }
            let space = window.lastIndex(of: " ")
            var cut = window.endIndex
            if let sentenceEnd, window.distance(from: window.startIndex, to: sentenceEnd) > limit / 2 {
                cut = window.index(after: sentenceEnd)
            } else if let space, space > window.startIndex {
                cut = space
            }
            parts.append(rest[..<cut].trimmingCharacters(in: .whitespaces))
            rest = rest[cut...].drop(while: { $0 == " " })
        }
        if !rest.isEmpty { parts.append(String(rest)) }
        return parts
    }
}
