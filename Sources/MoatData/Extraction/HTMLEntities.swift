extension HTMLText {
    /// Common named character references from the HTML standard's table.
    /// An unknown name is kept as written.
    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»",
        "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "para": "¶",
        "middot": "·", "bull": "•", "deg": "°", "times": "×", "divide": "÷", "plusmn": "±",
        "shy": "\u{00AD}", "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç",
        "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß",
    ]

    /// Decodes `&name;`, `&#NNN;` and `&#xHHH;`. Invalid code points become U+FFFD.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            let candidate = rest[afterAmpersand...].prefix(32)
            guard let semicolon = candidate.firstIndex(of: ";"),
                  let decoded = decodeReference(String(rest[afterAmpersand..<semicolon]))
            else {
                result += "&"
                rest = rest[afterAmpersand...]
                continue
            }
            result += decoded
            rest = rest[rest.index(after: semicolon)...]
        }
        result += rest
        return result
    }

    private static func decodeReference(_ name: String) -> String? {
        guard name.hasPrefix("#") else {
            return namedEntities[name]
        }
        let digits = name.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value else { return nil }
        // NUL and surrogates are not characters; the HTML standard maps them to U+FFFD.
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return String(Character(scalar))
    }
}
