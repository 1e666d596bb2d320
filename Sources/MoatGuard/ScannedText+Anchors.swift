/// Positions of the ASCII characters that rules start from or search for,
/// in ascending order, so that those rules visit these positions instead of
/// walking the whole text.
///
/// Folding changes letters only, so a digit or punctuation character sits
/// at the same position in ``ScannedText/normalized`` and
/// ``ScannedText/folded``, and these positions hold for both views.
struct AnchorPositions: Sendable, Equatable {
    /// ASCII digits, `+` and `(`. Every digit run, IPv4 address, IBAN and
    /// UK National Insurance number starts at or contains one of them.
    var numberStarts: [Int] = []
    /// `@`, the separator of every e-mail address.
    var atSigns: [Int] = []
    /// `:`, which every IPv6 address and every URL's `://` contains.
    var colons: [Int] = []
    /// `"`, which opens the `"kty"` member of a JSON Web Key.
    var quotes: [Int] = []
    /// `-`, which starts every PEM `-----BEGIN ` line.
    var hyphens: [Int] = []
    /// `<`, `[`, `#`, `=` and `\`, the first characters of the chat-template markers.
    var templateMarkerStarts: [Int] = []
}

extension ScannedText {
    /// Character classes of the anchor pass, one bit each.
    private enum AnchorClass {
        static let encoded: UInt8 = 1
        static let numberStart: UInt8 = 2
        static let atSign: UInt8 = 4
        static let colon: UInt8 = 8
        static let quote: UInt8 = 16
        static let hyphen: UInt8 = 32
        static let templateMarkerStart: UInt8 = 64
    }

    /// The anchor classes of each ASCII value.
    private static let anchorClasses: [UInt8] = (0..<128).map { (value: UInt32) -> UInt8 in
        let scalar = Unicode.Scalar(value)!
        var classes: UInt8 = 0
        if encodedCharacters.contains(scalar) { classes |= AnchorClass.encoded }
        if ASCIISet("0123456789+(").contains(scalar) { classes |= AnchorClass.numberStart }
        if scalar == "@" { classes |= AnchorClass.atSign }
        if scalar == ":" { classes |= AnchorClass.colon }
        if scalar == "\"" { classes |= AnchorClass.quote }
        if scalar == "-" { classes |= AnchorClass.hyphen }
        if ASCIISet("<[#=\\").contains(scalar) { classes |= AnchorClass.templateMarkerStart }
        return classes
    }

    /// Finds the encoded runs (see ``encodedRuns``) and the anchor positions
    /// of a normalized view in one pass.
    ///
    /// - Parameter count: the number of scalars in the view.
    /// - Parameter value: the scalar value at a position.
    @inline(__always)
    static func anchorPass(count: Int, value: (Int) -> UInt32) -> (encodedRuns: [Range<Int>], anchors: AnchorPositions) {
        let classes = anchorClasses
        let minimumLength = EncodedInstructionScanner.minimumRunLength
        var runs: [Range<Int>] = []
        var anchors = AnchorPositions()
        // Start of the current run, or of the last one after it ended.
        var runStart = 0
        var previousIsEncoded = false
        for index in 0..<count {
            let scalarValue = value(index)
            let scalarClasses = scalarValue < 128 ? classes[Int(scalarValue)] : 0
            let isEncoded = scalarClasses & AnchorClass.encoded != 0
            // Run edges update `runStart` with a select, not a branch, because runs end at almost every word.
            let endsLongRun = !isEncoded && previousIsEncoded && index - runStart >= minimumLength
            if endsLongRun { runs.append(runStart..<index) }
            runStart = isEncoded && !previousIsEncoded ? index : runStart
            previousIsEncoded = isEncoded
            // Letters carry the encoded bit only, so most positions stop here.
            guard scalarClasses > AnchorClass.encoded else { continue }
            if scalarClasses & AnchorClass.numberStart != 0 { anchors.numberStarts.append(index) }
            if scalarClasses & AnchorClass.atSign != 0 { anchors.atSigns.append(index) }
            if scalarClasses & AnchorClass.colon != 0 { anchors.colons.append(index) }
            if scalarClasses & AnchorClass.quote != 0 { anchors.quotes.append(index) }
            if scalarClasses & AnchorClass.hyphen != 0 { anchors.hyphens.append(index) }
            if scalarClasses & AnchorClass.templateMarkerStart != 0 { anchors.templateMarkerStarts.append(index) }
        }
        if previousIsEncoded, count - runStart >= minimumLength { runs.append(runStart..<count) }
        return (runs, anchors)
    }

    /// Runs the anchor pass over a normalized view.
    static func anchorPass(over normalized: [Unicode.Scalar]) -> (encodedRuns: [Range<Int>], anchors: AnchorPositions) {
        normalized.withUnsafeBufferPointer { scalars in
            anchorPass(count: scalars.count) { scalars[$0].value }
        }
    }

    /// Returns the first occurrence of `needle` in `scalars` that starts at
    /// one of `positions` at or after `start`, or nil. `positions` must be
    /// ascending and contain every occurrence of `needle`'s first scalar.
    static func firstRange(of needle: [Unicode.Scalar], in scalars: [Unicode.Scalar], at positions: [Int], from start: Int = 0) -> Range<Int>? {
        // Binary search for the first position at or after `start`, because callers search again after each match.
        var low = 0
        var high = positions.count
        while low < high {
            let middle = (low + high) / 2
            if positions[middle] < start { low = middle + 1 } else { high = middle }
        }
        for position in positions[low...] where scalars.hasScalars(needle, at: position) {
            return position..<(position + needle.count)
        }
        return nil
    }
}
