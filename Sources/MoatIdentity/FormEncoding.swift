import Foundation

/// `application/x-www-form-urlencoded` serialisation (WHATWG URL §5.2), used
/// for token requests and for building query strings.
public enum FormEncoding {
    private static let unreserved: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")
        return set
    }()

    /// Percent-encodes one name or value; spaces become `+`.
    public static func encodeComponent(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, unreserved.contains(scalar) {
                output.unicodeScalars.append(scalar)
            } else if byte == 0x20 {
                output += "+"
            } else {
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    /// Serialises pairs in order: `a=1&b=2`.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encodeComponent($0.0))=\(encodeComponent($0.1))" }.joined(separator: "&")
    }
}
