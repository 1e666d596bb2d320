/// Escaping for text placed in HTML element content or in a quoted attribute value.
public enum HTMLEscaping {
    /// Replaces `& < > " '` with character references, so the value cannot
    /// close an element or an attribute.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
