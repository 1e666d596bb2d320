import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP

extension ChunkedSealedCookie {
    /// Returns the SHA-256 of the sealed value that ``sealedValue(in:)``
    /// finds in `request.cookies`, or nil when that finds none.
    ///
    /// The usual request has one `Cookie` field with ASCII values. There the
    /// pieces are read in place and copied once into a buffer for hashing, so
    /// no cookie dictionary and no joined string are built for each request.
    /// Any other request takes the dictionary path, so both give the same key.
    func sealedValueKey(in request: HTTPRequest) -> SHA256Digest? {
        var cookieField: String?
        for field in request.headers where HTTPHeaders.namesMatch(field.name, "Cookie") {
            guard cookieField == nil else { return slowSealedValueKey(in: request) }
            cookieField = field.value
        }
        guard let cookieField else { return nil }
        switch cookieField.withUTF8Buffer({ fastSealedValueKey(inCookieField: $0) }) {
        case .found(let key): return key
        case .absent: return nil
        case .undecided: return slowSealedValueKey(in: request)
        }
    }

    private func slowSealedValueKey(in request: HTTPRequest) -> SHA256Digest? {
        sealedValue(in: request.cookies).map(OpenedSessionCache.key(sealedValue:))
    }

    enum FastKey: Equatable {
        case found(SHA256Digest)
        case absent
        /// Bytes that only the dictionary path reads correctly, such as non-ASCII values.
        case undecided
    }

    /// Finds the pieces in one `Cookie` field value by the rules of
    /// `HTTPRequest.cookies`: pairs split at `;`, names and values trimmed of
    /// spaces and tabs, the first pair of each name wins.
    func fastSealedValueKey(inCookieField field: UnsafeBufferPointer<UInt8>) -> FastKey {
        // Start and end offsets of each piece's value, or -1 while not seen.
        // Sized for maxPieces, which pieceIndex(named:cookieName:) keeps every index below.
        var starts = InlineArray<8, Int>(repeating: -1)
        var ends = InlineArray<8, Int>(repeating: -1)
        var hasNonASCII = false
        name.withUTF8Buffer { name in
            field.forEachSegment(separatedBy: UInt8(ascii: ";")) { pair in
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return }
                let pairName = pair[..<equals].trimmingSpacesAndTabs()
                guard let index = Self.pieceIndex(named: pairName, cookieName: name), starts[index] < 0 else { return }
                let value = pair[(equals + 1)...].trimmingSpacesAndTabs()
                if !UnsafeBufferPointer(rebasing: value).isASCII { hasNonASCII = true }
                starts[index] = value.startIndex
                ends[index] = value.endIndex
            }
        }
        if hasNonASCII { return .undecided }
        guard starts[0] >= 0 else { return .absent }

        // The first piece is `COUNT.` and its part of the sealed value.
        let first = field[starts[0]..<ends[0]]
        guard let dot = first.firstIndex(of: UInt8(ascii: ".")),
              let count = Int(String(decoding: first[..<dot], as: UTF8.self)), (1...Self.maxPieces).contains(count)
        else { return .absent }
        starts[0] = dot + 1
        var total = 0
        for index in 0..<count {
            guard starts[index] >= 0 else { return .absent }
            total += ends[index] - starts[index]
        }
        let key = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { buffer in
            var written = 0
            for index in 0..<count {
                let piece = UnsafeBufferPointer(rebasing: field[starts[index]..<ends[index]])
                guard let source = piece.baseAddress, !piece.isEmpty else { continue }
                (buffer.baseAddress! + written).initialize(from: source, count: piece.count)
                written += piece.count
            }
            return SHA256Digest(hashing: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<total]))
        }
        return .found(key)
    }

    /// Returns the piece index whose name ``pieceName(_:)`` gives `pairName`, or nil
    /// for another cookie and for pieces at or beyond ``maxPieces``.
    private static func pieceIndex(named pairName: Slice<UnsafeBufferPointer<UInt8>>, cookieName: UnsafeBufferPointer<UInt8>) -> Int? {
        guard pairName.count >= cookieName.count, pairName.prefix(cookieName.count).elementsEqual(cookieName) else { return nil }
        let suffix = pairName.dropFirst(cookieName.count)
        if suffix.isEmpty { return 0 }
        // `NAME_1` to `NAME_7`: one digit, because maxPieces is 8, so no leading zeros either.
        guard suffix.count == 2, suffix.first == UInt8(ascii: "_"), let digit = suffix.last,
              (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(digit)
        else { return nil }
        let index = Int(digit - UInt8(ascii: "0"))
        return index < maxPieces ? index : nil
    }
}
