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
            self.init(original: original, normalized: original, folded: folded, origin: Array(0..<count))
            return
        }

        var original: [Unicode.Scalar] = []
        var normalized: [Unicode.Scalar] = []
        var folded: [Unicode.Scalar] = []
        var origin: [Int] = []
        original.reserveCapacity(bytes.count)
        normalized.reserveCapacity(bytes.count)
        folded.reserveCapacity(bytes.count)
        origin.reserveCapacity(bytes.count)
        let twoByteFolds = Self.twoByteFolds

        var position = 0
        while position < bytes.count {
            let lead = bytes[position]
            let index = original.count
            if lead < 0x80 {
                let scalar = Unicode.Scalar(lead)
                original.append(scalar)
                normalized.append(scalar)
                folded.append(Unicode.Scalar(lowercaseTable[Int(lead)]))
                origin.append(index)
                position += 1
                continue
            }
            // `String` guarantees well-formed UTF-8, so the lead byte gives the length.
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
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            original.append(scalar)
            if value < 0x800, let fold = twoByteFolds[Int(value)] {
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
        self.init(original: original, normalized: normalized, folded: folded, origin: origin)
    }

    private static let asciiLowercaseTable: [UInt8] = (0..<128).map { UInt8(asciiLowercase(Unicode.Scalar(UInt8($0))).value) }

    /// The folded form of each scalar below U+0800 that keeps its place in
    /// the normalized view; nil for invisible scalars and those with a
    /// compatibility form, which take the general path.
    private static let twoByteFolds: [Unicode.Scalar?] = (0..<0x800).map { (value: UInt32) -> Unicode.Scalar? in
        let scalar = Unicode.Scalar(value)!
        guard !InvisibleCharacters.isInvisible(scalar), !hasCompatibilityForms(value) else { return nil }
        return Homoglyphs.latin(for: lowercase(scalar))
    }
}
