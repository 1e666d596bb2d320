import MoatCore
import Testing

@Suite("UTF-8 buffer helpers")
struct UTF8BufferTests {
    private static func segments(of text: String, separator: Character) -> [String] {
        var found: [String] = []
        text.withUTF8Buffer { bytes in
            bytes.forEachSegment(separatedBy: UInt8(ascii: separator.unicodeScalars.first!)) {
                found.append(String(decoding: $0, as: UTF8.self))
            }
        }
        return found
    }

    @Test("segments match split", arguments: [
        "", ";", ";;", "a", "a;b", ";a;;b;", "a=1; b=2;c=3", "ünïcode;ascii", String(repeating: "x;", count: 40),
    ])
    func segmentsMatchSplit(text: String) {
        let expected = text.split(separator: ";").map(String.init)
        #expect(Self.segments(of: text, separator: ";") == expected)
    }

    @Test("ASCII check finds a high byte at every position")
    func asciiCheck() {
        // Lengths around the eight-byte words, so both the word loop and the tail are covered.
        for length in 0..<20 {
            let ascii = [UInt8](repeating: 0x7F, count: length)
            #expect(ascii.withUnsafeBufferPointer(\.isASCII), "length \(length)")
            for position in 0..<length {
                var mixed = ascii
                mixed[position] = 0x80
                #expect(!mixed.withUnsafeBufferPointer(\.isASCII), "length \(length), position \(position)")
            }
        }
    }
}
