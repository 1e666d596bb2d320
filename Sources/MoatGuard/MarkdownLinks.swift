/// Links and images in a model's Markdown or HTML answer, with the spans
/// a redaction must remove.
struct MarkdownLink: Sendable {
    enum Kind: Sendable {
        /// `![alt](url)`, `![alt][ref]` or `<img src="url">`.
        case image
        /// `[text](url)`, `[text][ref]`, `<url>`, `<a href="url">` or a bare URL.
        case link
        /// A `[ref]: url` definition line.
        case definition
    }

    var kind: Kind
    /// Scalar offsets of the whole construct.
    var range: Range<Int>
    var url: String
    /// The visible link text, kept when the URL is removed.
    var text: String
}

enum MarkdownLinkParser {
    /// Finds every link, image and reference definition in `scalars`. Reference
    /// usages resolve against the definitions (case-insensitive labels,
    /// CommonMark §4.7), so the EchoLeak pattern `![x][r]` plus
    /// `[r]: https://…` is seen as an image of that URL.
    static func links(in scalars: [Unicode.Scalar]) -> [MarkdownLink] {
        var definitions: [String: String] = [:]
        var result: [MarkdownLink] = []
        for definition in referenceDefinitions(in: scalars) {
            definitions[definition.text.lowercased()] = definition.url
            result.append(definition)
        }
        var covered: [Range<Int>] = result.map(\.range)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "[" || (scalar == "!" && index + 1 < scalars.count && scalars[index + 1] == "[") {
                if let link = bracketed(scalars, at: index, definitions: definitions), !covered.contains(where: { $0.overlaps(link.range) }) {
                    result.append(link)
                    covered.append(link.range)
                    index = link.range.upperBound
                    continue
                }
            } else if scalar == "<", let link = angleOrTag(scalars, at: index) {
                result.append(link)
                covered.append(link.range)
                index = link.range.upperBound
                continue
            } else if scalar == "h" || scalar == "H" || scalar == "w", let link = bareURL(scalars, at: index), !covered.contains(where: { $0.overlaps(link.range) }) {
                result.append(link)
                covered.append(link.range)
                index = link.range.upperBound
                continue
            }
            index += 1
        }
        return result
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(scalars: scalars)
    }

    /// `[label]: url` at the start of a line, indented by at most three spaces.
    static func referenceDefinitions(in scalars: [Unicode.Scalar]) -> [MarkdownLink] {
        var result: [MarkdownLink] = []
        var lineStart = 0
        while lineStart < scalars.count {
            var lineEnd = lineStart
            while lineEnd < scalars.count, scalars[lineEnd] != "\n" { lineEnd += 1 }
            var position = lineStart
            while position < lineEnd, scalars[position] == " ", position - lineStart < 3 { position += 1 }
            if position < lineEnd, scalars[position] == "[",
               let close = scalars[position..<lineEnd].firstIndex(of: "]"), close + 1 < lineEnd, scalars[close + 1] == ":" {
                let label = string(scalars[(position + 1)..<close])
                var urlStart = close + 2
                while urlStart < lineEnd, scalars[urlStart] == " " { urlStart += 1 }
                var urlEnd = urlStart
                while urlEnd < lineEnd, scalars[urlEnd] != " " { urlEnd += 1 }
                var url = string(scalars[urlStart..<urlEnd])
                if url.hasPrefix("<"), url.hasSuffix(">") { url = String(url.dropFirst().dropLast()) }
                if !label.isEmpty, !url.isEmpty {
                    result.append(MarkdownLink(kind: .definition, range: lineStart..<min(lineEnd + 1, scalars.count), url: url, text: label))
                }
            }
            lineStart = lineEnd + 1
        }
        return result
    }

    /// `[text](url "title")`, `![alt](url)`, `[text][ref]`, `[text][]` and `[ref]`.
    private static func bracketed(_ scalars: [Unicode.Scalar], at start: Int, definitions: [String: String]) -> MarkdownLink? {
        let isImage = scalars[start] == "!"
        let open = isImage ? start + 1 : start
        var depth = 0
        var close = -1
        var position = open
        while position < scalars.count, scalars[position] != "\n" || depth > 0 {
            if scalars[position] == "[" { depth += 1 }
            if scalars[position] == "]" {
                depth -= 1
                if depth == 0 {
                    close = position
                    break
                }
            }
            position += 1
        }
        guard close > open else { return nil }
        let text = string(scalars[(open + 1)..<close])
        let kind: MarkdownLink.Kind = isImage ? .image : .link
        let next = close + 1
        if next < scalars.count, scalars[next] == "(" {
            var end = next + 1
            var parentheses = 1
            while end < scalars.count, scalars[end] != "\n" {
                if scalars[end] == "(" { parentheses += 1 }
                if scalars[end] == ")" {
                    parentheses -= 1
                    if parentheses == 0 { break }
                }
                end += 1
            }
            guard end < scalars.count, scalars[end] == ")" else { return nil }
            var destination = string(scalars[(next + 1)..<end]).trimmingSpaces()
            if let space = destination.firstIndex(of: " ") { destination = String(destination[..<space]) }
            if destination.hasPrefix("<"), destination.hasSuffix(">") { destination = String(destination.dropFirst().dropLast()) }
            return MarkdownLink(kind: kind, range: start..<(end + 1), url: destination, text: text)
        }
        if next < scalars.count, scalars[next] == "[", let refClose = scalars[next...].firstIndex(of: "]") {
            let label = string(scalars[(next + 1)..<refClose])
            let key = (label.isEmpty ? text : label).lowercased()
            if let url = definitions[key] {
                return MarkdownLink(kind: kind, range: start..<(refClose + 1), url: url, text: text)
            }
            return nil
        }
        if let url = definitions[text.lowercased()] {
            return MarkdownLink(kind: kind, range: start..<(close + 1), url: url, text: text)
        }
        return nil
    }

    /// `<https://…>` autolinks and `<img src=…>` or `<a href=…>` tags.
    private static func angleOrTag(_ scalars: [Unicode.Scalar], at start: Int) -> MarkdownLink? {
        guard let close = scalars[start...].prefix(2048).firstIndex(of: ">") else { return nil }
        let inner = string(scalars[(start + 1)..<close])
        let lower = inner.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") {
            return MarkdownLink(kind: .link, range: start..<(close + 1), url: inner, text: "")
        }
        for (tag, attribute, kind) in [("img", "src", MarkdownLink.Kind.image), ("a", "href", .link), ("iframe", "src", .image), ("script", "src", .image)] {
            guard lower.hasPrefix(tag + " ") || lower.hasPrefix(tag + "\n"), let url = attributeValue(attribute, in: inner) else { continue }
            return MarkdownLink(kind: kind, range: start..<(close + 1), url: url, text: "")
        }
        return nil
    }

    private static func attributeValue(_ name: String, in tag: String) -> String? {
        let lower = tag.lowercased()
        guard let found = lower.range(of: name + "=") else { return nil }
        var rest = tag[found.upperBound...]
        guard let quote = rest.first else { return nil }
        if quote == "\"" || quote == "'" {
            rest = rest.dropFirst()
            return rest.firstIndex(of: quote).map { String(rest[..<$0]) }
        }
        return String(rest.prefix { $0 != " " && $0 != ">" })
    }

    /// `http://…`, `https://…` and `www.…` outside Markdown syntax.
    private static func bareURL(_ scalars: [Unicode.Scalar], at start: Int) -> MarkdownLink? {
        if start > 0, scalars[start - 1].isASCIIAlphanumeric { return nil }
        let head = string(scalars[start..<min(scalars.count, start + 8)]).lowercased()
        guard head.hasPrefix("http://") || head.hasPrefix("https://") || head.hasPrefix("www.") else { return nil }
        var end = start
        while end < scalars.count, !scalars[end].isASCIIWhitespace, !"<>\"'`)]".unicodeScalars.contains(scalars[end]) { end += 1 }
        while end > start, ".,;:!?".unicodeScalars.contains(scalars[end - 1]) { end -= 1 }
        let url = string(scalars[start..<end])
        return MarkdownLink(kind: .link, range: start..<end, url: url.lowercased().hasPrefix("www.") ? "https://" + url : url, text: "")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
