import Foundation

extension JSONValue {
    /// Writes compact JSON (no whitespace) with object members in insertion order.
    ///
    /// Strings escape only `"`, `\` and control characters; numbers use the
    /// ECMAScript form described in ``canonicalized()``.
    public func serialized() -> Data {
        var output = [UInt8]()
        write(to: &output, sortingMembers: false)
        return Data(output)
    }

    /// Writes the RFC 8785 JSON Canonicalization Scheme (JCS) form.
    ///
    /// Members are sorted by their names' UTF-16 code units (RFC 8785 §3.2.3),
    /// strings are escaped as in ``serialized()`` (§3.2.2.2), and numbers are
    /// written as ECMAScript's `Number.prototype.toString` does (§3.2.2.3).
    /// An integer beyond ±2^53 is written as the nearest `Double`, as JCS
    /// requires, so it may lose precision.
    public func canonicalized() -> Data {
        var output = [UInt8]()
        write(to: &output, sortingMembers: true)
        return Data(output)
    }

    private func write(to output: inout [UInt8], sortingMembers: Bool) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            if sortingMembers, value.magnitude > 1 << 53 {
                output.append(contentsOf: JSONNumberFormatter.ecmaScriptString(Double(value)).utf8)
            } else {
                output.append(contentsOf: String(value).utf8)
            }
        case .double(let value):
            output.append(contentsOf: JSONNumberFormatter.ecmaScriptString(value).utf8)
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output, sortingMembers: sortingMembers)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            var members = Array(object)
            if sortingMembers {
                members.sort { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            }
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output, sortingMembers: sortingMembers)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0x00..<0x20: output.append(contentsOf: String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// Formats doubles as ECMAScript's `Number.prototype.toString` (ECMA-262 §6.1.6.1.20).
enum JSONNumberFormatter {
    static func ecmaScriptString(_ value: Double) -> String {
        precondition(value.isFinite, "JSON cannot represent \(value)")
        if value == 0 { return "0" }  // Also -0, which ECMAScript prints as "0".
        let sign = value < 0 ? "-" : ""
        // Swift's description gives the shortest digits that round-trip, as
        // ECMAScript requires; only the layout differs.
        let (digits, exponent) = shortestDigits(of: value.magnitude)
        let k = digits.count
        let n = exponent  // The value is 0.digits × 10^n.
        let body: String
        if k <= n && n <= 21 {
            body = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            body = String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        } else if -6 < n && n <= 0 {
            body = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let e = n - 1
            let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
            body = mantissa + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
        }
        return sign + body
    }

    /// Splits a positive finite double into significant digits (no leading or
    /// trailing zeros) and the decimal exponent n such that value = 0.digits × 10^n.
    private static func shortestDigits(of value: Double) -> (String, Int) {
        let text = value.description  // For example "1.5e-07", "123.0", "1e+22".
        var mantissa = Substring(text)
        var exponent = 0
        if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<eIndex]
            exponent = Int(text[text.index(after: eIndex)...])!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits, pointPosition)
    }
}
