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
        guard value.withUTF8Buffer(isValidFieldValue) else {
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

    /// Returns whether every byte passes ``isFieldValueByte(_:)``. Eight bytes are
    /// checked at once, because the gateway validates kilobytes of identity
    /// fields per request. A word with a control byte, DEL or a tab (allowed,
    /// but below 0x20) is checked byte by byte.
    static func isValidFieldValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highBits: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // The zero-byte test (x - 0x01…01) & ~x & 0x80…80, shifted to find bytes below
                // 0x20, and applied to word XOR DEL to find 0x7F. Bytes of 0x80 and above never count.
                let below20 = (word &- ones &* 0x20) & ~word & highBits
                let delete = word ^ (ones &* 0x7F)
                let isDelete = (delete &- ones) & ~delete & highBits
                if below20 | isDelete != 0 {
                    for offset in index..<index + 8 where !isFieldValueByte(bytes[offset]) {
                        return false
                    }
                }
                index += 8
            }
        }
        while index < bytes.count {
            guard isFieldValueByte(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// field-vchar, SP and HTAB from RFC 9110 §5.5; bytes of 0x80 and above
    /// are obs-text, which covers UTF-8.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
