import Foundation

/// A text prepared for matching: the original Unicode scalars plus two
/// views of the same length that drop invisible characters.
///
/// - ``normalized`` applies compatibility folding (NFKC) per scalar, so
///   fullwidth `ｉｇｎｏｒｅ` and mathematical `𝐢𝐠𝐧𝐨𝐫𝐞` become `ignore`.
///   Case is kept, because secrets are case-sensitive.
/// - ``folded`` is ``normalized`` lowercased, with Cyrillic and Greek
///   letters that look like Latin ones mapped to Latin (see ``Homoglyphs``).
///
/// ``origin`` maps an index of either view back to the original scalar
/// offset, so every span reported to callers is in original scalar offsets.
struct ScannedText: Sendable {
    let original: [Unicode.Scalar]
    let normalized: [Unicode.Scalar]
    let folded: [Unicode.Scalar]
    let origin: [Int]
    /// Maximal runs of base64 and base64url characters (letters, digits and
    /// `+/=-_`) in ``normalized`` that are at least
    /// ``EncodedInstructionScanner/minimumRunLength`` long. Encoded
    /// instructions and high-entropy secrets are looked for only there.
    let encodedRuns: [Range<Int>]
    /// Positions of digits and of the punctuation that rules search for.
    let anchors: AnchorPositions

    var count: Int { folded.count }

    /// Returns the original scalar range covered by `range` of the folded view.
    func originalSpan(_ range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let position = range.lowerBound < origin.count ? origin[range.lowerBound] : original.count
            return position..<position
        }
        return origin[range.lowerBound]..<(origin[range.upperBound - 1] + 1)
    }

    /// Returns the folded view's characters in `range` as a string.
    func foldedString(_ range: Range<Int>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: folded[range])
        return String(result)
    }

    /// Returns the normalized view's characters in `range` as a string.
    func normalizedString(_ range: Range<Int>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: normalized[range])
        return String(result)
    }

    static func asciiLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20)! : scalar
    }

    /// Lowercases one scalar, keeping it when the lowercase form is longer
    /// than one scalar, so both views keep the same length.
    static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value < 0x80 { return asciiLowercase(scalar) }
        guard scalar.properties.changesWhenLowercased else { return scalar }
        let mapping = scalar.properties.lowercaseMapping.unicodeScalars
        return mapping.count == 1 ? mapping.first! : scalar
    }

    /// True for fullwidth forms and the blocks that hold compatibility characters.
    static func hasCompatibilityForms(_ value: UInt32) -> Bool {
        (0xFF01...0xFF5E).contains(value)
            || (0x2000...0x24FF).contains(value) || (0x3000...0x33FF).contains(value)
            || (0xFB00...0xFB4F).contains(value) || (0xFE30...0xFFEF).contains(value)
            || (0x1D400...0x1D7FF).contains(value) || (0x1F100...0x1F1FF).contains(value)
            || (0x02B0...0x02FF).contains(value) || (0x1D2C...0x1D6A).contains(value)
    }

    /// NFKC of one scalar. Only the blocks that hold compatibility
    /// characters go through Foundation, which keeps the common case cheap.
    static func compatibilityForm(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let value = scalar.value
        if (0xFF01...0xFF5E).contains(value) {
            return [Unicode.Scalar(value - 0xFEE0)!]
        }
        guard hasCompatibilityForms(value) else { return [scalar] }
        let mapped = Array(String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars)
        return mapped.isEmpty ? [scalar] : mapped
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
    // The class tests below look the scalar up in two 64-bit masks (scalars 0-63 and 64-127),
    // which avoids the branches of chained range tests in the scanning loops.
    var isASCIILetter: Bool { hasASCIIBit(low: 0, high: 0x07FF_FFFE_07FF_FFFE) }
    var isASCIIAlphanumeric: Bool { hasASCIIBit(low: 0x03FF_0000_0000_0000, high: 0x07FF_FFFE_07FF_FFFE) }
    var isASCIIHexDigit: Bool { hasASCIIBit(low: 0x03FF_0000_0000_0000, high: 0x0000_007E_0000_007E) }
    var isASCIIUppercase: Bool { (0x41...0x5A).contains(value) }
    var isASCIILowercase: Bool { (0x61...0x7A).contains(value) }
    var isASCIIWhitespace: Bool { value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D }
    /// A letter or digit in any script.
    @inline(__always) var isWordCharacter: Bool {
        if value < 0x80 { return isASCIIAlphanumeric }
        return isNonASCIIWordCharacter
    }
    /// The Unicode property lookups of ``isWordCharacter``, kept out of line
    /// so that the ASCII test inlines into the scanning loops.
    @inline(never) private var isNonASCIIWordCharacter: Bool {
        properties.isAlphabetic || properties.numericType != nil
    }
    var digitValue: Int { Int(value) - 0x30 }

    @inline(__always) private func hasASCIIBit(low: UInt64, high: UInt64) -> Bool {
        guard value < 128 else { return false }
        return ((value < 64 ? low : high) >> UInt64(value & 63)) & 1 != 0
    }
}

/// A set of ASCII scalars tested with two bit masks, for hot loops that
/// would otherwise search a string per character.
struct ASCIISet: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// `0-9`, `A-Z` and `a-z`.
    static let alphanumerics = ASCIISet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    init(_ characters: String) {
        for scalar in characters.unicodeScalars {
            precondition(scalar.value < 128, "ASCIISet holds ASCII only")
            if scalar.value < 64 { low |= 1 << UInt64(scalar.value) } else { high |= 1 << UInt64(scalar.value - 64) }
        }
    }

    @inline(__always) func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        guard value < 128 else { return false }
        return ((value < 64 ? low : high) >> UInt64(value & 63)) & 1 != 0
    }

    func union(_ other: ASCIISet) -> ASCIISet {
        var result = self
        result.low |= other.low
        result.high |= other.high
        return result
    }
}

extension Array where Element == Unicode.Scalar {
    /// True when `needle` occurs at `start`; false when it would run past the end.
    func hasScalars(_ needle: [Unicode.Scalar], at start: Int) -> Bool {
        guard start >= 0, start + needle.count <= count else { return false }
        for offset in needle.indices where self[start + offset] != needle[offset] { return false }
        return true
    }
}

extension String {
    /// Creates a string of `scalars`, built through UTF-8 because appending to a
    /// `UnicodeScalarView` scalar by scalar is several times slower.
    init(scalars: some Sequence<Unicode.Scalar>) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.underestimatedCount * 2)
        for scalar in scalars {
            UTF8.encode(scalar) { bytes.append($0) }
        }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
