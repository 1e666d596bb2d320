/// Letters from other scripts that are drawn like Latin letters.
///
/// The table covers the lowercase Cyrillic and Greek letters of Unicode's
/// confusables list (UTS #39, `confusables.txt`) that are visually
/// identical to a basic Latin letter in common fonts; uppercase letters
/// reach it after lowercasing. Folding them lets a rule written for
/// `ignore` match `іgnоrе` spelled with Cyrillic `і`, `о` and `е`.
enum Homoglyphs {
    private static let table: [UInt32: Unicode.Scalar] = [
        // Cyrillic.
        0x0430: "a", 0x0441: "c", 0x0501: "d", 0x0435: "e", 0x0261: "g", 0x04BB: "h", 0x0456: "i",
        0x0458: "j", 0x043E: "o", 0x0440: "p", 0x051B: "q", 0x0455: "s", 0x0445: "x", 0x0443: "y",
        0x051D: "w", 0x04CF: "l", 0x0475: "v",
        // Greek.
        0x03B1: "a", 0x03BF: "o", 0x03C1: "p", 0x03BD: "v", 0x03B9: "i", 0x03BA: "k", 0x03C4: "t",
        0x03C5: "u", 0x03C7: "x", 0x03B3: "y", 0x03F2: "c", 0x03F3: "j",
        // Latin letters outside basic Latin that look like basic ones.
        0x0131: "i", 0x0251: "a", 0x0269: "i", 0x1D00: "a", 0x0274: "n", 0x0280: "r", 0x0299: "b",
    ]

    /// The Latin look-alike of `scalar`, or `scalar` itself.
    static func latin(for scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard scalar.value >= 0x0131 else { return scalar }
        return table[scalar.value] ?? scalar
    }

    /// True when `scalar` has a Latin look-alike in the table.
    static func isConfusable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x0131 && table[scalar.value] != nil
    }
}
