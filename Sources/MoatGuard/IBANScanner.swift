/// Finds IBANs, written compactly or in groups of four, whose country
/// length matches the ISO 13616 registry and whose mod-97 check holds.
enum IBANScanner {
    /// IBAN length per country code (SWIFT IBAN registry).
    static let lengths: [String: Int] = [
        "ad": 24, "ae": 23, "al": 28, "at": 20, "az": 28, "ba": 20, "be": 16, "bg": 22, "bh": 22, "br": 29,
        "by": 28, "ch": 21, "cr": 22, "cy": 28, "cz": 24, "de": 22, "dk": 18, "do": 28, "ee": 20, "eg": 29,
        "es": 24, "fi": 18, "fo": 18, "fr": 27, "gb": 22, "ge": 22, "gi": 23, "gl": 18, "gr": 27, "gt": 28,
        "hr": 21, "hu": 28, "ie": 22, "il": 23, "iq": 23, "is": 26, "it": 27, "jo": 30, "kw": 30, "kz": 20,
        "lb": 28, "lc": 32, "li": 21, "lt": 20, "lu": 20, "lv": 21, "mc": 27, "md": 24, "me": 22, "mk": 19,
        "mr": 27, "mt": 31, "mu": 30, "nl": 18, "no": 15, "pk": 24, "pl": 28, "ps": 29, "pt": 25, "qa": 29,
        "ro": 24, "rs": 22, "sa": 24, "sc": 31, "se": 24, "si": 19, "sk": 24, "sm": 27, "st": 25, "sv": 28,
        "tl": 23, "tn": 24, "tr": 26, "ua": 29, "va": 22, "vg": 24, "xk": 20,
    ]

    /// - Parameter numberStarts: ``AnchorPositions/numberStarts`` of `folded`;
    ///   an IBAN starts two letters before its first check digit.
    static func ibans(in folded: [Unicode.Scalar], numberStarts: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var nextIndex = 0
        let count = folded.count
        for checkDigit in numberStarts {
            let index = checkDigit - 2
            guard index >= nextIndex, index >= 0, index + 4 < count else { continue }
            let first = folded[index]
            let second = folded[index + 1]
            guard first.isASCIILetter, second.isASCIILetter,
                  folded[index + 2].isASCIIDigit, folded[index + 3].isASCIIDigit,
                  index == 0 || !folded[index - 1].isWordCharacter,
                  let length = lengths[String(first) + String(second)] else { continue }
            var characters: [Unicode.Scalar] = []
            var position = index
            while position < count, characters.count < length {
                let scalar = folded[position]
                if scalar.isASCIIAlphanumeric {
                    characters.append(scalar)
                } else if scalar == " ", position + 1 < count, folded[position + 1].isASCIIAlphanumeric, characters.count % 4 == 0 {
                    // Printed IBANs group by four; a space anywhere else ends the candidate.
                } else {
                    break
                }
                position += 1
            }
            guard characters.count == length,
                  position == count || !folded[position].isASCIIAlphanumeric,
                  Checksums.ibanMod97(characters) else { continue }
            result.append(index..<position)
            nextIndex = position
        }
        return result
    }
}
