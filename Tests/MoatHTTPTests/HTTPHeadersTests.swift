import Testing

@testable import MoatHTTP

@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("value check agrees with the byte rule at every offset")
    func valueCheckAgreesWithByteRule() {
        // Each byte value at each position of a 20-byte value, so it falls in the
        // first or second eight-byte word or in the tail checked byte by byte.
        for byte in 0...255 {
            for position in 0..<20 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
                bytes[position] = UInt8(byte)
                let fast = bytes.withUnsafeBufferPointer { HTTPHeaders.isValidFieldValue($0) }
                let expected = bytes.allSatisfy(HTTPHeaders.isFieldValueByte)
                #expect(fast == expected, "byte \(byte) at \(position)")
            }
        }
        // A tab beside a control byte, and obs-text (UTF-8) beside DEL.
        let mixed: [[UInt8]] = [[0x09, 0x0A, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41], [0xC3, 0xA9, 0x7F, 0x41, 0x41, 0x41, 0x41, 0x41]]
        for bytes in mixed {
            #expect(!bytes.withUnsafeBufferPointer { HTTPHeaders.isValidFieldValue($0) })
        }
        let tabs = [UInt8](repeating: 0x09, count: 16) + Array("é ok".utf8)
        #expect(tabs.withUnsafeBufferPointer { HTTPHeaders.isValidFieldValue($0) })
    }

    @Test("names match case-insensitively")
    func caseInsensitive() {
        let headers = HTTPHeaders([("Content-Type", "text/plain")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
    }

    @Test("repeated names keep every value in order")
    func multiValued() {
        var headers = HTTPHeaders()
        headers.add("Set-Cookie", "a=1")
        headers.add("X-Other", "x")
        headers.add("set-cookie", "b=2")
        #expect(headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers["Set-Cookie"] == "a=1")
        #expect(headers.map(\.name) == ["Set-Cookie", "X-Other", "set-cookie"])
    }

    @Test("set replaces every value")
    func setReplaces() {
        var headers = HTTPHeaders([("Accept", "a"), ("accept", "b")])
        headers.set("ACCEPT", "c")
        #expect(headers.values(for: "Accept") == ["c"])
        #expect(headers.count == 1)
    }

    @Test("remove drops every value")
    func removeAll() {
        var headers = HTTPHeaders([("Accept", "a"), ("X", "y"), ("accept", "b")])
        headers.remove("Accept")
        #expect(headers["Accept"] == nil)
        #expect(headers.count == 1)
    }

    @Test("names differing beyond ASCII case do not match")
    func nonASCIIFolding() {
        let headers = HTTPHeaders([("X-Straße", "1")])
        #expect(headers["X-STRASSE"] == nil)
    }

    @Test("value with control character is invalid", arguments: ["a\r\nb", "a\nb", "a\rb", "a\u{0}b", "a\u{7F}b", "a\u{1B}b"])
    func controlCharacterRejected(value: String) {
        #expect(HTTPHeaders.validate(name: "X-Test", value: value) != .valid)
    }

    @Test("value with tab, space and UTF-8 is valid")
    func ordinaryValueAccepted() {
        #expect(HTTPHeaders.validate(name: "X-Test", value: "a\tb c é") == .valid)
    }

    @Test("name outside the token set is invalid", arguments: ["", "X Test", "X:Test", "X\r\nTest", "Ünicode"])
    func invalidNameRejected(name: String) {
        #expect(HTTPHeaders.validate(name: name, value: "v") != .valid)
    }
}

@Suite("Header tokens and request ids")
struct HeaderTokenTests {
    @Test("every tchar is a token byte and nothing else is")
    func tokenBytes() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8(0)...UInt8(255) {
            #expect(HTTPHeaders.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test("removeAll keeps the order of the rest")
    func removeAllKeepsOrder() {
        var headers = HTTPHeaders([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
        headers.removeAll { HTTPHeaders.namesMatch($0.name, "a") }
        #expect(headers.map(\.name) == ["B", "C"])
    }

    @Test("request ids are 32 hex digits and differ")
    func requestIDs() {
        // 1000 ids use several refills of the 4 KiB random buffer.
        let ids = (0..<1000).map { _ in RequestID.generate() }
        for id in ids {
            #expect(id.utf8.count == 32)
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        }
        #expect(Set(ids).count == ids.count)
    }
}
