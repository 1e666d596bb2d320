/// Finds e-mail addresses: a local part, `@`, and a domain of at least two
/// labels whose last label is two or more letters (RFC 5321 §4.1.2, without
/// quoted local parts).
enum EmailScanner {
    static func addresses(in folded: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var lastEnd = 0
        for at in folded.indices where folded[at] == "@" && at >= lastEnd {
            var start = at
            while start > lastEnd, isLocalCharacter(folded[start - 1]) { start -= 1 }
            while start < at, folded[start] == "." { start += 1 }
            guard start < at else { continue }

            var end = at + 1
            var lastDot = -1
            while end < folded.count, isDomainCharacter(folded[end]) {
                if folded[end] == "." { lastDot = end }
                end += 1
            }
            while end > at + 1, folded[end - 1] == "." || folded[end - 1] == "-" {
                end -= 1
                if lastDot == end { lastDot = -1 }
            }
            if lastDot >= end { lastDot = folded[(at + 1)..<end].lastIndex(of: ".") ?? -1 }
            guard lastDot > at + 1, end - lastDot - 1 >= 2,
                  folded[(lastDot + 1)..<end].allSatisfy({ $0.isASCIILetter || $0.value > 0x7F }) else { continue }
            result.append(start..<end)
            lastEnd = end
        }
        return result
    }

    private static func isLocalCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || "._%+-'".unicodeScalars.contains(scalar) || (scalar.value > 0x7F && scalar.properties.isAlphabetic)
    }

    private static func isDomainCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || scalar == "." || scalar == "-" || (scalar.value > 0x7F && scalar.properties.isAlphabetic)
    }
}
