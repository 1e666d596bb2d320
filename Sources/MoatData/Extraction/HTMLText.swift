import Foundation

/// Converts HTML to plain paragraphs for indexing.
///
/// This is text extraction, not sanitising for display: it drops comments
/// and the contents of `script`, `style`, `template` and `noscript`, turns
/// block elements into paragraph breaks, removes every other tag and decodes
/// character references. Malformed markup degrades to extra or missing text,
/// never to an error.
enum HTMLText {
    struct Result: Equatable {
        var heading: String?
        var text: String
    }

    /// Elements whose content is never document text.
    private static let hiddenElements: Set<String> = ["script", "style", "template", "noscript"]
    /// Elements that end a paragraph.
    private static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
    ]
    private static let headingElements: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]

    static func extract(_ html: String) -> Result {
        let characters = Array(html.unicodeScalars)
        var output = String.UnicodeScalarView()
        var heading: String?
        // Collects the text of the first heading element while inside it.
        var headingText: String.UnicodeScalarView?
        var position = 0

        while position < characters.count {
            let scalar = characters[position]
            guard scalar == "<" else {
                output.append(scalar)
                headingText?.append(scalar)
                position += 1
                continue
            }
            if starts(characters, at: position, with: "<!--") {
                position = index(after: "-->", in: characters, from: position + 4)
                continue
            }
            guard let tag = parseTag(characters, at: position) else {
                // A "<" that opens no tag is text, as in "a < b".
                output.append(scalar)
                headingText?.append(scalar)
                position += 1
                continue
            }
            position = tag.end
            if hiddenElements.contains(tag.name) && !tag.isClosing {
                position = index(after: "</\(tag.name)", in: characters, from: position, caseInsensitive: true)
                position = index(after: ">", in: characters, from: position)
                continue
            }
            if headingElements.contains(tag.name) {
                if !tag.isClosing && heading == nil {
                    headingText = String.UnicodeScalarView()
                } else if tag.isClosing, let collected = headingText {
                    let text = normalizeSpaces(decodeEntities(String(collected)))
                    heading = text.isEmpty ? nil : text
                    headingText = nil
                }
            }
            // Inline tags such as <b> add no space, because "<b>bold</b>er" is one word.
            if blockElements.contains(tag.name) {
                output.append(contentsOf: "\n\n".unicodeScalars)
            }
        }

        let paragraphs = decodeEntities(String(output))
            .components(separatedBy: "\n\n")
            .map(normalizeSpaces)
            .filter { !$0.isEmpty }
        return Result(heading: heading, text: paragraphs.joined(separator: "\n\n"))
    }

    private struct Tag {
        var name: String
        var isClosing: Bool
        var end: Int
    }

    /// Parses `<name ...>` or `</name>` at `start`, skipping quoted attribute values.
    private static func parseTag(_ characters: [Unicode.Scalar], at start: Int) -> Tag? {
        var position = start + 1
        var isClosing = false
        if position < characters.count, characters[position] == "/" {
            isClosing = true
            position += 1
        }
        if position < characters.count, characters[position] == "!" || characters[position] == "?" {
            // Doctype or processing instruction: no text inside.
            return Tag(name: "!", isClosing: false, end: index(after: ">", in: characters, from: position))
        }
        var name = ""
        while position < characters.count, characters[position].properties.isAlphabetic || ("0"..."9").contains(characters[position]) {
            name.unicodeScalars.append(characters[position])
            position += 1
        }
        guard !name.isEmpty else { return nil }

        var quote: Unicode.Scalar?
        while position < characters.count {
            let scalar = characters[position]
            position += 1
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                break
            }
        }
        return Tag(name: name.lowercased(), isClosing: isClosing, end: position)
    }

    private static func starts(_ characters: [Unicode.Scalar], at position: Int, with prefix: String, caseInsensitive: Bool = false) -> Bool {
        let scalars = Array(prefix.unicodeScalars)
        guard position + scalars.count <= characters.count else { return false }
        for (offset, expected) in scalars.enumerated() {
            let actual = characters[position + offset]
            if caseInsensitive ? String(actual).lowercased() != String(expected).lowercased() : actual != expected {
                return false
            }
        }
        return true
    }

    /// Returns the index just past the next `marker` at or after `from`, or the end of input.
    private static func index(after marker: String, in characters: [Unicode.Scalar], from: Int, caseInsensitive: Bool = false) -> Int {
        var position = from
        let length = marker.unicodeScalars.count
        while position < characters.count {
            if starts(characters, at: position, with: marker, caseInsensitive: caseInsensitive) {
                return position + length
            }
            position += 1
        }
        return characters.count
    }

    static func normalizeSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
