extension ScannedText {
    /// Builds the views in one pass over the UTF-8 bytes of `text`.
    init(_ text: String) {
        var text = text
        self = text.withUTF8 { Self(utf8: $0) }
    }

    private init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let lowercaseTable = Self.asciiLowercaseTable
        var highBits: UInt8 = 0
        for byte in bytes { highBits |= byte }
        // Most prompts are ASCII, where both views equal the input up to case.
        if highBits < 0x80 {
            let count = bytes.count
            let original = [Unicode.Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count { buffer[index] = Unicode.Scalar(bytes[index]) }
                initialized = count
            }
            let folded = [Unicode.Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count { buffer[index] = Unicode.Scalar(lowercaseTable[Int(bytes[index])]) }
                initialized = count
            }
            let (encodedRuns, anchors) = Self.anchorPass(count: count) { UInt32(bytes[$0]) }
            self.init(original: original, normalized: original, folded: folded, origin: Array(0..<count),
                      encodedRuns: encodedRuns, anchors: anchors)
            return
        }

        // Most other prompts have no invisible scalar and none that NFKC changes, so the
        // normalized view is the original and only the folded view needs building.
        var original: [Unicode.Scalar] = []
        var folded: [Unicode.Scalar] = []
        original.reserveCapacity(bytes.count)
        folded.reserveCapacity(bytes.count)
        let tableFolds = Self.tableFolds
        var keepsPositions = true
        var position = 0
        while position < bytes.count {
            let lead = bytes[position]
            if lead < 0x80 {
                original.append(Unicode.Scalar(lead))
                folded.append(Unicode.Scalar(lowercaseTable[Int(lead)]))
                position += 1
                continue
            }
            let scalar = Self.decodeScalar(bytes, at: &position, lead: lead)
            original.append(scalar)
            guard keepsPositions else { continue }
            let value = scalar.value
            if value < UInt32(tableFolds.count) {
                if let fold = tableFolds[Int(value)] {
                    folded.append(fold)
                } else {
                    keepsPositions = false
                }
            } else if InvisibleCharacters.isInvisible(scalar) || Self.hasCompatibilityForms(value) {
                keepsPositions = false
            } else {
                folded.append(Homoglyphs.latin(for: Self.lowercase(scalar)))
            }
        }
        if keepsPositions {
            let (encodedRuns, anchors) = Self.anchorPass(over: original)
            self.init(original: original, normalized: original, folded: folded, origin: Array(0..<original.count),
                      encodedRuns: encodedRuns, anchors: anchors)
        } else {
            self.init(mapping: original)
        }
    }

    /// Decodes the scalar whose non-ASCII `lead` byte is at `position` and
    /// moves `position` past it. `String` guarantees well-formed UTF-8, so
    /// the lead byte gives the length.
    @inline(__always)
    private static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int, lead: UInt8) -> Unicode.Scalar {
        let value: UInt32
        if lead < 0xE0 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(bytes[position + 1] & 0x3F)
            position += 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[position + 1] & 0x3F) << 6 | UInt32(bytes[position + 2] & 0x3F)
            position += 3
        } else {
            value = UInt32(lead & 0x07) << 18 | UInt32(bytes[position + 1] & 0x3F) << 12
                | UInt32(bytes[position + 2] & 0x3F) << 6 | UInt32(bytes[position + 3] & 0x3F)
            position += 4
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    /// Builds the views of a text with invisible scalars or compatibility
    /// forms, where a scalar may disappear or expand to several.
    private init(mapping original: [Unicode.Scalar]) {
        var normalized: [Unicode.Scalar] = []
        var folded: [Unicode.Scalar] = []
        var origin: [Int] = []
        normalized.reserveCapacity(original.count)
        folded.reserveCapacity(original.count)
        origin.reserveCapacity(original.count)
        let tableFolds = Self.tableFolds
        for (index, scalar) in original.enumerated() {
            let value = scalar.value
            if value < UInt32(tableFolds.count), let fold = tableFolds[Int(value)] {
                normalized.append(scalar)
                folded.append(fold)
                origin.append(index)
                continue
            }
            if InvisibleCharacters.isInvisible(scalar) {
                continue
            }
            if !Self.hasCompatibilityForms(value) {
                normalized.append(scalar)
                folded.append(Homoglyphs.latin(for: Self.lowercase(scalar)))
                origin.append(index)
                continue
            }
            for piece in Self.compatibilityForm(of: scalar) {
                normalized.append(piece)
                folded.append(Homoglyphs.latin(for: Self.lowercase(piece)))
                origin.append(index)
            }
        }
        let (encodedRuns, anchors) = Self.anchorPass(over: normalized)
        self.init(original: original, normalized: normalized, folded: folded, origin: origin, encodedRuns: encodedRuns, anchors: anchors)
    }

    /// The characters of base64 and base64url, padding included. Hex digits are a subset.
    static let encodedCharacters = ASCIISet.alphanumerics.union(ASCIISet("+/=-_"))

    private static let asciiLowercaseTable: [UInt8] = (0..<128).map { UInt8(asciiLowercase(Unicode.Scalar(UInt8($0))).value) }

    /// The folded form of each scalar below U+3400 that keeps its place in
    /// the normalized view, or nil for invisible scalars and those that NFKC
    /// changes, which take the general path. The range covers Latin, Greek,
    /// Cyrillic, General Punctuation and CJK punctuation, whose curly quotes,
    /// dashes and ideographic full stops would otherwise go through
    /// Foundation's NFKC on every scan. Building it costs about 2,400 NFKC
    /// calls, once per process.
    private static let tableFolds: [Unicode.Scalar?] = (0..<0x3400).map { (value: UInt32) -> Unicode.Scalar? in
        let scalar = Unicode.Scalar(value)!
        guard !InvisibleCharacters.isInvisible(scalar) else { return nil }
        if hasCompatibilityForms(value), compatibilityForm(of: scalar) != [scalar] { return nil }
        return value < 0x80 ? asciiLowercase(scalar) : Homoglyphs.latin(for: lowercase(scalar))
    }
}
