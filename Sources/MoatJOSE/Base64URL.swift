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
        var utf8 = String(text)
        // withUTF8 is rethrows, which loses the typed error, so the result is carried out in a Result.
        let result = utf8.withUTF8 { bytes in Result { () throws(JOSEError) in try decode(bytes: bytes) } }
        return try result.get()
    }

    /// Decodes the ASCII bytes of base64url text, with the rules of ``decode(_:)``.
    ///
    /// Token parsing calls this on slices of the received bytes, so no
    /// intermediate `String` is built.
    public static func decode(bytes: UnsafeBufferPointer<UInt8>) throws(JOSEError) -> Data {
        Data(try decodeToArray(bytes: bytes))
    }

    /// Decodes like ``decode(bytes:)`` into an array, which the JSON parser reads without another copy.
    static func decodeToArray(bytes: UnsafeBufferPointer<UInt8>) throws(JOSEError) -> [UInt8] {
        let outputCount = try decodedCount(of: bytes)
        var invalidIndex: Int? = nil
        // `decode(_:into:table:)` writes every output byte unless it reports an error,
        // and on an error the array is thrown away.
        let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initializedCount in
            invalidIndex = sextets.withUnsafeBufferPointer { table in decode(bytes, into: buffer, table: table) }
            initializedCount = invalidIndex == nil ? outputCount : 0
        }
        try check(invalidIndex, in: bytes)
        return output
    }

    /// Returns the number of bytes that base64url text of `length` characters decodes to.
    ///
    /// - Throws: ``JOSEError/Code/invalidBase64URL`` when `length` is 1 modulo 4.
    static func decodedCount(ofLength length: Int) throws(JOSEError) -> Int {
        guard length % 4 != 1 else {
            throw JOSEError(code: .invalidBase64URL, reason: "base64url text of \(length) characters cannot be decoded (length mod 4 is 1)")
        }
        return length / 4 * 3 + max(length % 4 - 1, 0)
    }

    /// Returns ``decodedCount(ofLength:)`` of `text.count`, but names `=` padding
    /// when the length is wrong because of it.
    static func decodedCount(of text: UnsafeBufferPointer<UInt8>) throws(JOSEError) -> Int {
        do {
            return try decodedCount(ofLength: text.count)
        } catch {
            if let index = text.firstIndex(of: UInt8(ascii: "=")) { throw paddingError(at: index) }
            throw error
        }
    }

    private static func paddingError(at index: Int) -> JOSEError {
        JOSEError(
            code: .invalidBase64URL,
            reason: "character at position \(index) is \"=\" padding, which base64url in JWS omits (RFC 7515 §2); remove the trailing \"=\" characters")
    }

    /// Decodes with the rules of ``decode(_:)`` into `output`, whose count must be
    /// ``decodedCount(ofLength:)`` of `bytes.count`. On an error the content of `output` is unspecified.
    static func decode(bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws(JOSEError) {
        let expectedCount = try decodedCount(of: bytes)
        precondition(output.count == expectedCount, "output buffer of \(output.count) bytes does not fit \(expectedCount) decoded bytes")
        let invalidIndex = sextets.withUnsafeBufferPointer { table in decode(bytes, into: output, table: table) }
        try check(invalidIndex, in: bytes)
    }

    private static func check(_ invalidIndex: Int?, in bytes: UnsafeBufferPointer<UInt8>) throws(JOSEError) {
        switch invalidIndex {
        case nil:
            return
        case -1:
            throw JOSEError(code: .invalidBase64URL, reason: "base64url text has non-zero unused bits in its last character, so it is not the canonical encoding")
        case let index? where bytes[index] == UInt8(ascii: "="):
            throw paddingError(at: index)
        case let index?:
            throw JOSEError(
                code: .invalidBase64URL,
                reason: "character at position \(index) is not in the base64url alphabet (A-Z a-z 0-9 - _, no padding)")
        }
    }

    /// Decodes into `out`, which has room for exactly the decoded bytes.
    /// Returns nil on success, the position of the first invalid character,
    /// or -1 when the last character has non-zero unused bits.
    private static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        let count = bytes.count
        var input = 0
        var written = 0
        // Whole groups of four characters make three bytes. Each character's
        // sextet comes from a table already shifted into place, and a set bit
        // 31 marks a character outside the alphabet, so one test checks all four.
        // While four bytes of room remain, the three bytes go out as one
        // 32-bit store whose fourth byte the next group overwrites.
        shiftedSextets.withUnsafeBufferPointer { shifted in
            let first = shifted.baseAddress!, second = first + 256, third = first + 512, fourth = first + 768
            let output = UnsafeMutableRawPointer(out.baseAddress!)
            while input + 4 <= count {
                let group = first[Int(bytes[input])] | second[Int(bytes[input + 1])]
                    | third[Int(bytes[input + 2])] | fourth[Int(bytes[input + 3])]
                guard group & 0x8000_0000 == 0 else { return }
                if written + 4 <= out.count {
                    output.storeBytes(of: (group << 8).bigEndian, toByteOffset: written, as: UInt32.self)
                } else {
                    out[written] = UInt8(truncatingIfNeeded: group >> 16)
                    out[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    out[written + 2] = UInt8(truncatingIfNeeded: group)
                }
                input += 4
                written += 3
            }
        }
        if input + 4 <= count { return firstInvalid(bytes, from: input, table: table) }
        // A final group of two or three characters makes one or two bytes.
        var group: UInt32 = 0
        for index in input..<count {
            let value = table[Int(bytes[index])]
            guard value & 0x80 == 0 else { return index }
            group = group << 6 | UInt32(value)
        }
        switch count - input {
        case 2:
            guard group & 0x0F == 0 else { return -1 }
            out[written] = UInt8(truncatingIfNeeded: group >> 4)
        case 3:
            guard group & 0x03 == 0 else { return -1 }
            out[written] = UInt8(truncatingIfNeeded: group >> 10)
            out[written + 1] = UInt8(truncatingIfNeeded: group >> 2)
        default:
            break
        }
        return nil
    }

    private static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, table: UnsafeBufferPointer<UInt8>) -> Int {
        var index = start
        while table[Int(bytes[index])] & 0x80 == 0 { index += 1 }
        return index
    }

    /// The 6-bit value of each byte, or 0xFF for bytes outside the base64url alphabet.
    private static let sextets: [UInt8] = (0...255).map { byte in sextet(UInt8(byte)) ?? 0xFF }

    /// Four tables of 256 entries, one per position in a group of four
    /// characters: the sextet shifted left by 18, 12, 6 and 0 bits, or
    /// 0x8000_0000 for bytes outside the alphabet.
    private static let shiftedSextets: [UInt32] = [18, 12, 6, 0].flatMap { shift in
        (0...255).map { byte in sextet(UInt8(byte)).map { UInt32($0) << shift } ?? 0x8000_0000 }
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
