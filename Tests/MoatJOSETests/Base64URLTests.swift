import Foundation
import MoatJOSE
import Testing

/// Base64url decoding over long inputs: every byte value, and a bad
/// character in every position of whole and partial groups.
@Suite("Base64URL decoding")
struct Base64URLDecodingTests {
    /// Bytes that differ from group to group.
    private func sampleBytes(count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
    }

    @Test("all 256 byte values round trip")
    func allByteValuesRoundTrip() throws {
        let data = Data((0...255).map { UInt8($0) })

        #expect(try Base64URL.decode(Base64URL.encode(data)) == data)
    }

    @Test("bad character is found at each position")
    func badCharacterAtEachPosition() throws {
        let text = Base64URL.encode(sampleBytes(count: 30))
        for position in 0..<text.utf8.count {
            for bad in ["=", "+", "/", " ", "é"] {
                var characters = Array(text)
                // é is two UTF-8 bytes, so it replaces two characters to keep the length valid.
                let replaced = bad == "é" ? position..<min(position + 2, characters.count) : position..<(position + 1)
                characters.replaceSubrange(replaced, with: [Character(bad)])
                if bad == "é" && replaced.count == 1 { continue }
                let error = #expect(throws: JOSEError.self) { try Base64URL.decode(String(characters)) }

                #expect(error?.code == .invalidBase64URL, "\(bad) at \(position)")
                #expect(error?.reason.contains("position \(position)") == true, "\(bad) at \(position)")
            }
        }
    }

    @Test("padding is named in the error", arguments: ["YQ==", "YWI=", "YWJjZA==", "YQ=", "YWJjZ==="])
    func paddingNamed(text: String) {
        let error = #expect(throws: JOSEError.self) { try Base64URL.decode(text) }

        #expect(error?.code == .invalidBase64URL)
        #expect(error?.reason.contains("\"=\" padding") == true, "\(text): \(error?.reason ?? "")")
    }
}
