/// Check-digit algorithms of the identifiers the personal-data rules find.
enum Checksums {
    /// Luhn (ISO/IEC 7812-1 annex B), used by payment card numbers.
    static func luhn(_ digits: [Int]) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// ISO 13616 IBAN check: move the first four characters to the end,
    /// turn letters into 10...35, and the number mod 97 must be 1.
    /// `characters` are lowercase ASCII letters and digits.
    static func ibanMod97(_ characters: [Unicode.Scalar]) -> Bool {
        guard characters.count >= 15 else { return false }
        let rearranged = characters[4...] + characters[..<4]
        var remainder = 0
        for scalar in rearranged {
            if scalar.isASCIIDigit {
                remainder = (remainder * 10 + scalar.digitValue) % 97
            } else if (0x61...0x7A).contains(scalar.value) {
                remainder = (remainder * 100 + Int(scalar.value) - 0x61 + 10) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }

    /// Dutch BSN "elfproef": 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11.
    static func dutchBSN(_ digits: [Int]) -> Bool {
        guard digits.count == 9, digits.contains(where: { $0 != 0 }) else { return false }
        var sum = 0
        for (index, digit) in digits.enumerated() {
            sum += index == 8 ? -digit : digit * (9 - index)
        }
        return sum % 11 == 0
    }

    /// Checks a Belgian national register number. The last two digits are
    /// 97 − (first nine digits mod 97), and for people born from 2000 the nine
    /// digits are prefixed with 2. The birth date part allows the +20 and
    /// +40 month offsets of BIS numbers and 00 for an unknown day or month.
    static func belgianNationalNumber(_ digits: [Int]) -> Bool {
        guard digits.count == 11 else { return false }
        let month = digits[2] * 10 + digits[3]
        let day = digits[4] * 10 + digits[5]
        guard [0, 20, 40].contains(where: { (0...12).contains(month - $0) }), day <= 31 else { return false }
        let body = digits[0..<9].reduce(0) { $0 * 10 + $1 }
        let check = digits[9] * 10 + digits[10]
        return 97 - body % 97 == check || 97 - (2_000_000_000 + body) % 97 == check
    }

    /// US SSN issuance rules (SSA): area not 000, 666 or 900–999; group not
    /// 00; serial not 0000.
    static func usSSN(_ digits: [Int]) -> Bool {
        guard digits.count == 9 else { return false }
        let area = digits[0] * 100 + digits[1] * 10 + digits[2]
        let group = digits[3] * 10 + digits[4]
        let serial = digits[5...].reduce(0) { $0 * 10 + $1 }
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// Checks the UK National Insurance number prefix rules (HMRC NIM39110).
    /// The first letter is not D, F, I, Q, U or V, and the second is not D, F,
    /// I, O, Q, U or V. BG, GB, KN, NK, NT, TN and ZZ are not issued.
    static func ukNINOPrefix(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
        guard first.isASCIILowercase, second.isASCIILowercase,
              !ukNINOInvalidFirst.contains(first), !ukNINOInvalidSecond.contains(second) else { return false }
        return !ukNINOInvalidPairs.contains(first.value << 8 | second.value)
    }

    private static let ukNINOInvalidFirst = ASCIISet("dfiquv")
    private static let ukNINOInvalidSecond = ASCIISet("dfioquv")
    /// Pairs never issued, each as `first << 8 | second`.
    private static let ukNINOInvalidPairs: [UInt32] = ["bg", "gb", "kn", "nk", "nt", "tn", "zz"].map { pair in
        let scalars = Array(pair.unicodeScalars)
        return scalars[0].value << 8 | scalars[1].value
    }
}
