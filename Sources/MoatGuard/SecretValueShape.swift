import Foundation

/// Tests that tell a real secret value from a placeholder, a variable, a
/// type name or a demo value, shared by the secret rules.
enum SecretValueShape {
    /// Shannon entropy in bits per character.
    static func entropy(_ value: some Collection<Unicode.Scalar>) -> Double {
        guard !value.isEmpty else { return 0 }
        // Counts ASCII in a fixed table on the stack and the rest in a dictionary, because secrets are almost always ASCII.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { ascii in
            ascii.initialize(repeating: 0)
            var other: [Unicode.Scalar: Int] = [:]
            for scalar in value {
                if scalar.value < 128 { ascii[Int(scalar.value)] += 1 } else { other[scalar, default: 0] += 1 }
            }
            let total = Double(value.count)
            var sum = 0.0
            for count in ascii where count > 0 {
                let p = Double(count) / total
                sum -= p * log2(p)
            }
            for count in other.values {
                let p = Double(count) / total
                sum -= p * log2(p)
            }
            return sum
        }
    }

    /// Counts which of lower case, upper case, digits and other characters occur.
    static func characterClasses(_ value: some Collection<Unicode.Scalar>) -> Int {
        var lower = false, upper = false, digit = false, other = false
        for scalar in value {
            if (0x61...0x7A).contains(scalar.value) { lower = true }
            else if (0x41...0x5A).contains(scalar.value) { upper = true }
            else if scalar.isASCIIDigit { digit = true }
            else { other = true }
        }
        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0)
    }

    private static let placeholderMarkers: [[Unicode.Scalar]] = [
        "example", "xxxx", "placeholder", "dummy", "redacted", "<", ">", "${", "{{", "****", "...", "your_", "your-",
        "changeit", "not-the", "insert", "enter ",
    ].map { Array($0.unicodeScalars) }
    private static let markerStarts = ASCIISet(String(scalars: placeholderMarkers.map { $0[0] }))

    /// Returns true for values that stand for a secret rather than being one.
    /// These are markers such as `EXAMPLE` or `<token>`, environment
    /// references, hex literals and encrypted `ENC(...)` values. Ascending or
    /// descending runs of six or more characters (`123456`, `abcdef`) count
    /// too, because people type them into demo keys.
    static func isPlaceholder(_ value: String) -> Bool {
        isPlaceholder(Array(value.unicodeScalars)[...])
    }

    static func isPlaceholder(_ value: ArraySlice<Unicode.Scalar>) -> Bool {
        // Matching lowercases in place because this runs on every long word.
        let markers = placeholderMarkers
        let starts = markerStarts
        for index in value.indices {
            let scalar = ScannedText.asciiLowercase(value[index])
            guard starts.contains(scalar) else { continue }
            for marker in markers where marker[0] == scalar && index + marker.count <= value.endIndex {
                var offset = 1
                while offset < marker.count, ScannedText.asciiLowercase(value[index + offset]) == marker[offset] { offset += 1 }
                if offset == marker.count { return true }
            }
        }
        if let first = value.first, first == "$" || first == "%" { return true }
        if startsWithLowercased(value, ["0", "x"]) || startsWithLowercased(value, ["e", "n", "c", "("]) { return true }
        return hasSequentialLowercasedRun(value, length: 6)
    }

    private static func startsWithLowercased(_ value: ArraySlice<Unicode.Scalar>, _ prefix: [Unicode.Scalar]) -> Bool {
        guard value.count >= prefix.count else { return false }
        for (offset, expected) in prefix.enumerated() where ScannedText.asciiLowercase(value[value.startIndex + offset]) != expected {
            return false
        }
        return true
    }

    /// ``hasSequentialRun(_:length:)`` on the ASCII-lowercased `scalars`.
    private static func hasSequentialLowercasedRun(_ scalars: ArraySlice<Unicode.Scalar>, length: Int) -> Bool {
        guard scalars.count >= length else { return false }
        var ascending = 1, descending = 1
        var previous = ScannedText.asciiLowercase(scalars[scalars.startIndex])
        for index in (scalars.startIndex + 1)..<scalars.endIndex {
            let current = ScannedText.asciiLowercase(scalars[index])
            let sameKind = (previous.isASCIIDigit && current.isASCIIDigit) || (previous.isASCIILetter && current.isASCIILetter)
            ascending = sameKind && current.value == previous.value + 1 ? ascending + 1 : 1
            descending = sameKind && current.value + 1 == previous.value ? descending + 1 : 1
            if ascending >= length || descending >= length { return true }
            previous = current
        }
        return false
    }

    static func hasSequentialRun(_ scalars: [Unicode.Scalar], length: Int) -> Bool {
        guard scalars.count >= length else { return false }
        var ascending = 1, descending = 1
        for index in 1..<scalars.count {
            let previous = scalars[index - 1], current = scalars[index]
            let sameKind = (previous.isASCIIDigit && current.isASCIIDigit) || (previous.isASCIILetter && current.isASCIILetter)
            ascending = sameKind && current.value == previous.value + 1 ? ascending + 1 : 1
            descending = sameKind && current.value + 1 == previous.value ? descending + 1 : 1
            if ascending >= length || descending >= length { return true }
        }
        return false
    }

    static func hasRepeatedRun(_ scalars: [Unicode.Scalar], length: Int) -> Bool {
        var run = 1
        for index in scalars.indices.dropFirst() {
            run = scalars[index] == scalars[index - 1] ? run + 1 : 1
            if run >= length { return true }
        }
        return false
    }
}
