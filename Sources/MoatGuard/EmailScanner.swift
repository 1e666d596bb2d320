/// Finds e-mail addresses: a local part, `@`, and a domain of at least two
/// labels whose last label is two or more letters (RFC 5321 §4.1.2, without
/// quoted local parts).
enum EmailScanner {
    /// - Parameter atSigns: ``AnchorPositions/atSigns`` of `folded`.
    static func addresses(in folded: [Unicode.Scalar], atSigns: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var lastEnd = 0
        for at in atSigns where at >= lastEnd {
            var start = at
            while start > lastEnd, isLocalCharacter(folded[start - 1]) { start -= 1 }
            while start < at, folded[start] == "." { start += 1 }
            guard start < at, !isURLUserInfo(folded, localStart: start) else { continue }

            var end = at + 1
            while end < folded.count, isDomainCharacter(folded[end]) { end += 1 }
            // A sentence may end right after the address: "mail me at ana@example.com."
            while end > at + 1, folded[end - 1] == "." || folded[end - 1] == "-" { end -= 1 }
            let lastDot = folded[(at + 1)..<end].lastIndex(of: ".") ?? -1
            guard lastDot > at + 1, end - lastDot - 1 >= 2,
                  folded[(lastDot + 1)..<end].allSatisfy({ $0.isASCIILetter || $0.value > 0x7F }) else { continue }
            result.append(start..<end)
            lastEnd = end
        }
        return result
    }

    /// True for `scheme://user:password@host`, whose `password@host` is
    /// a connection string's credentials, not an address.
    private static func isURLUserInfo(_ folded: [Unicode.Scalar], localStart: Int) -> Bool {
        var index = localStart
        while index > 0, !folded[index - 1].isASCIIWhitespace, localStart - index < 200 {
            index -= 1
            if index + 2 < localStart, folded[index] == ":", folded[index + 1] == "/", folded[index + 2] == "/" { return true }
        }
        return false
    }

    private static let localPunctuation = ASCIISet("._%+-'")

    private static func isLocalCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || localPunctuation.contains(scalar) || (scalar.value > 0x7F && scalar.properties.isAlphabetic)
    }

    private static func isDomainCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || scalar == "." || scalar == "-" || (scalar.value > 0x7F && scalar.properties.isAlphabetic)
    }
}
