/// Characters that render as nothing or reorder the text around them, and
/// so can hide instructions from a human reviewer while a model still reads them.
enum InvisibleCharacters {
    enum Kind {
        /// Zero-width spaces and joiners, the word joiner, the soft hyphen,
        /// the BOM used mid-text, and variation selectors.
        case zeroWidth
        /// Tag characters (U+E0000 to U+E007F): they mirror ASCII and are
        /// the carrier of "ASCII smuggling".
        case tag
        /// Bidirectional embedding, override and isolate controls
        /// (Unicode Bidirectional Algorithm, UAX #9), as used by Trojan Source.
        case bidi
    }

    static func kind(of scalar: Unicode.Scalar) -> Kind? {
        switch scalar.value {
        case 0x200B...0x200D, 0x2060...0x2064, 0xFEFF, 0x00AD, 0x180E, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0,
            0xFE00...0xFE0F, 0xE0100...0xE01EF:
            return .zeroWidth
        case 0xE0000...0xE007F:
            return .tag
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
            return .bidi
        default:
            return nil
        }
    }

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0xAD && kind(of: scalar) != nil
    }
}
