import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds IPv4 addresses in dotted-quad form and IPv6 addresses that
/// `inet_pton(3)` accepts.
enum IPAddressScanner {
    /// - Parameter numberStarts: ``AnchorPositions/numberStarts`` of `folded`.
    /// - Parameter colons: ``AnchorPositions/colons`` of `folded`.
    static func addresses(in folded: [Unicode.Scalar], numberStarts: [Int], colons: [Int]) -> [Range<Int>] {
        ipv4(in: folded, numberStarts: numberStarts) + ipv6(in: folded, colons: colons)
    }

    static func ipv4(in folded: [Unicode.Scalar], numberStarts: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var nextIndex = 0
        let count = folded.count
        for index in numberStarts where index >= nextIndex {
            guard folded[index].isASCIIDigit, index == 0 || !(folded[index - 1].isWordCharacter || folded[index - 1] == ".") else { continue }
            var position = index
            var octets: [Int] = []
            while octets.count < 4 {
                let start = position
                var value = 0
                while position < count, folded[position].isASCIIDigit, position - start < 4 {
                    value = value * 10 + folded[position].digitValue
                    position += 1
                }
                let length = position - start
                guard (1...3).contains(length), value <= 255 else { break }
                octets.append(value)
                if octets.count < 4 {
                    guard position + 1 < count, folded[position] == ".", folded[position + 1].isASCIIDigit else { break }
                    position += 1
                }
            }
            let continues = position < count && (folded[position].isWordCharacter
                || (folded[position] == "." && position + 1 < count && folded[position + 1].isASCIIDigit))
            // A failed candidate needs no skipping, because the digits after it continue a word and so none starts an address.
            if octets.count == 4, !continues {
                result.append(index..<position)
                nextIndex = position
            }
        }
        return result
    }

    /// True when two successive colons are separated only by hex digits and
    /// dots, which every IPv6 candidate contains; most texts have no such pair.
    private static func hasColonPair(_ folded: [Unicode.Scalar], colons: [Int]) -> Bool {
        for (first, second) in zip(colons, colons.dropFirst()) {
            var position = first + 1
            while position < second, folded[position].isASCIIHexDigit || folded[position] == "." { position += 1 }
            if position == second { return true }
        }
        return false
    }

    /// - Parameter colons: ``AnchorPositions/colons`` of `folded`.
    static func ipv6(in folded: [Unicode.Scalar], colons: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        guard hasColonPair(folded, colons: colons) else { return result }
        var index = 0
        let count = folded.count
        while index < count {
            let scalar = folded[index]
            guard scalar.isASCIIHexDigit || scalar == ":",
                  index == 0 || !(folded[index - 1].isWordCharacter || folded[index - 1] == ":") else {
                index += 1
                continue
            }
            var end = index
            var colons = 0
            while end < count, folded[end].isASCIIHexDigit || folded[end] == ":" || (folded[end] == "." && colons >= 2) {
                if folded[end] == ":" { colons += 1 }
                end += 1
            }
            if colons >= 2, end - index >= 3, !(end < count && folded[end].isWordCharacter) {
                let candidate = String(scalars: folded[index..<end])
                var storage = in6_addr()
                if inet_pton(AF_INET6, candidate, &storage) == 1 {
                    result.append(index..<end)
                }
            }
            index = max(end, index + 1)
        }
        return result
    }
}
