import MoatCore

/// The outcome of checking a header field before it is sent.
public enum HeaderFieldVerdict: Sendable, Equatable {
    case valid
    /// The field must not be sent; `reason` names the offending part.
    case invalid(reason: String)
}

extension HTTPHeaders {
    /// Checks that `name` is a token (RFC 9110 §5.1) and that `value` holds
    /// only visible characters, spaces, tabs and obs-text (RFC 9110 §5.5).
    ///
    /// Rejecting CR, LF, NUL and the other control characters is what keeps
    /// a value from ending the header block early and splitting the message.
    public static func validate(name: String, value: String) -> HeaderFieldVerdict {
        guard !name.isEmpty else {
            return .invalid(reason: "header name is empty")
        }
        guard name.withUTF8Buffer({ $0.allSatisfy(isTokenByte) }) else {
            return .invalid(reason: "header name \(name.debugDescription) contains a character outside the RFC 9110 token set")
        }
        guard value.withUTF8Buffer({ $0.allSatisfy(isFieldValueByte) }) else {
            return .invalid(reason: "value of header \(name) contains a control character such as CR, LF or NUL")
        }
        return .valid
    }

    /// Checks every field with ``validate(name:value:)`` and returns the first failure.
    public func validate() -> HeaderFieldVerdict {
        for field in self {
            let verdict = Self.validate(name: field.name, value: field.value)
            if verdict != .valid {
                return verdict
            }
        }
        return .valid
    }

    /// tchar from RFC 9110 §5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// field-vchar, SP and HTAB from RFC 9110 §5.5; bytes of 0x80 and above
    /// are obs-text, which covers UTF-8.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
