import Foundation
import Testing

@testable import MoatJSON

/// The string scanner skips plain ASCII eight bytes at a time, so each byte
/// that ends a plain run is tried at every offset within and across words.
@Suite("JSON string scan")
struct JSONStringScanTests {
    /// Builds a JSON string of 24 plain letters with `inserted` bytes at `offset`.
    private func stringText(inserting inserted: [UInt8], at offset: Int) -> [UInt8] {
        var content = Array("abcdefghijklmnopqrstuvwx".utf8)
        content.insert(contentsOf: inserted, at: offset)
        return [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
    }

    @Test("control character is rejected at each offset", arguments: [0x00, 0x0A, 0x1F] as [UInt8])
    func controlCharacterAtEachOffset(byte: UInt8) {
        for offset in 0...24 {
            let text = stringText(inserting: [byte], at: offset)
            let error = #expect(throws: JSONError.self) { try JSONValue.parse(bytes: text) }

            #expect(error?.code == .controlCharacter, "offset \(offset)")
            #expect(error?.offset == offset + 1, "offset \(offset)")
        }
    }

    @Test("escape and non-ASCII decode at each offset", arguments: [
        (#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("é", "é"), ("\u{7F}", "\u{7F}"), (" ", " "), ("~", "~"),
    ])
    func specialCharacterAtEachOffset(inserted: String, decoded: String) throws {
        for offset in 0...24 {
            let text = stringText(inserting: Array(inserted.utf8), at: offset)
            var expected = "abcdefghijklmnopqrstuvwx"
            expected.insert(contentsOf: decoded, at: expected.index(expected.startIndex, offsetBy: offset))

            #expect(try JSONValue.parse(bytes: text) == .string(expected), "offset \(offset)")
        }
    }

    @Test("unescaped quote ends the string at each offset")
    func quoteEndsStringAtEachOffset() {
        for offset in 0..<24 {
            let text = stringText(inserting: [UInt8(ascii: "\"")], at: offset)

            #expect(throws: JSONError.self, "offset \(offset)") { try JSONValue.parse(bytes: text) }
        }
    }

    /// A borrow in the word test can also flag the bytes after a hit, so the
    /// scanner must stop at the first of two adjacent bytes that end a run.
    @Test("first of adjacent special bytes is found at each offset", arguments: [
        ([0x01, 0x22], 0), ([0x1F, 0x5C], 0), ([0xC3, 0xA9, 0x00], 2), ([0x5C, 0x6E, 0x02], 2),
    ] as [([UInt8], Int)])
    func adjacentSpecialBytesAtEachOffset(inserted: [UInt8], controlIndex: Int) {
        for offset in 0...24 {
            let text = stringText(inserting: inserted, at: offset)
            let error = #expect(throws: JSONError.self) { try JSONValue.parse(bytes: text) }
            let indexError = #expect(throws: JSONError.self) { try JSONObjectIndex.parse(bytes: Array(#"{"a":"#.utf8) + text + [UInt8(ascii: "}")]) }

            #expect(error?.code == .controlCharacter, "offset \(offset)")
            #expect(error?.offset == offset + 1 + controlIndex, "offset \(offset)")
            #expect(indexError?.code == .controlCharacter, "offset \(offset)")
            #expect(indexError?.offset == offset + 6 + controlIndex, "offset \(offset)")
        }
    }
}
