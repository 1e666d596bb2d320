import Foundation

/// Splits Markdown into sections at ATX (`## Title`) and setext
/// (`Title` over `===` or `---`) headings as CommonMark
/// defines them. Lines inside fenced code blocks are never headings.
enum MarkdownSections {
    struct Section: Equatable {
        /// Heading text without markers; nil for text before the first heading.
        var heading: String?
        var body: String
    }

    static func split(_ markdown: String) -> [Section] {
        var sections: [Section] = []
        var heading: String?
        var lines: [String] = []
        var fence: String?

        func flush() {
            let body = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if heading != nil || !body.isEmpty {
                sections.append(Section(heading: heading, body: body))
            }
            lines = []
        }

        for rawLine in markdown.components(separatedBy: .newlines) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if line.hasPrefix(open) { fence = nil }
                lines.append(rawLine)
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                fence = String(line.prefix(3))
                lines.append(rawLine)
                continue
            }
            if let text = atxHeading(line) {
                flush()
                heading = text
                continue
            }
            if isSetextUnderline(line), let previous = lines.last, !previous.trimmingCharacters(in: .whitespaces).isEmpty,
               lines.count == 1 || lines[lines.count - 2].trimmingCharacters(in: .whitespaces).isEmpty {
                // Only a one-line paragraph is taken as a setext heading; a longer
                // paragraph followed by "---" keeps its text and the line is a rule.
                lines.removeLast()
                flush()
                heading = previous.trimmingCharacters(in: .whitespaces)
                continue
            }
            lines.append(rawLine)
        }
        flush()
        return sections
    }

    /// Returns the heading text of an ATX heading line, or nil.
    private static func atxHeading(_ line: String) -> String? {
        let level = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(level) else { return nil }
        let rest = line.dropFirst(level)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var text = rest.trimmingCharacters(in: .whitespaces)
        // A closing sequence of "#" is not part of the heading.
        let trailing = text.reversed().prefix(while: { $0 == "#" }).count
        if trailing > 0 {
            let kept = text.dropLast(trailing)
            if kept.isEmpty || kept.last == " " {
                text = kept.trimmingCharacters(in: .whitespaces)
            }
        }
        return text.isEmpty ? nil : text
    }

    private static func isSetextUnderline(_ line: String) -> Bool {
        guard let first = line.first, first == "=" || first == "-" else { return false }
        return line.allSatisfy { $0 == first }
    }
}
