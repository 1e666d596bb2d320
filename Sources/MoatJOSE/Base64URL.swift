import Foundation

/// Strict unpadded base64url (RFC 4648 §5, as RFC 7515 §2 uses it).
///
/// Each byte string has exactly one accepted encoding, so two components can
/// never disagree about what a segment contains.
public enum Base64URL {
    /// Encodes without padding.
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes text that uses only `A-Z a-z 0-9 - _`.
    ///
    /// - Throws: ``JOSEError/Code/invalidBase64URL`` for any other character
    ///   (including `=`, `+`, `/` and whitespace), a length of 1 modulo 4, or
    ///   non-zero bits left over in the last character (RFC 4648 §3.5).
    public static func decode(_ text: some StringProtocol) throws(JOSEError) -> Data {
        let characters = Array(text.utf8)
        guard characters.count % 4 != 1 else {
            throw JOSEError(code: .invalidBase64URL, reason: "base64url text of \(characters.count) characters cannot be decoded (length mod 4 is 1)")
        }
        var output = [UInt8]()
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for (index, character) in characters.enumerated() {
            guard let value = sextet(character) else {
                throw JOSEError(
                    code: .invalidBase64URL,
                    reason: "character at position \(index) is not in the base64url alphabet (A-Z a-z 0-9 - _, no padding)")
            }
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        guard accumulator == 0 else {
            throw JOSEError(code: .invalidBase64URL, reason: "base64url text has non-zero unused bits in its last character, so it is not the canonical encoding")
        }
        return Data(output)
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
