import Foundation
import Testing

@testable import MoatJSON

private func parse(_ text: String, limits: JSONLimits = .init()) throws(JSONError) -> JSONValue {
    try JSONValue.parse(Data(text.utf8), limits: limits)
}

private func errorCode(_ bytes: [UInt8], limits: JSONLimits = .init()) -> JSONError.Code? {
    do {
        _ = try JSONValue.parse(Data(bytes), limits: limits)
        return nil
    } catch {
        return error.code
    }
}

private func errorCode(_ text: String, limits: JSONLimits = .init()) -> JSONError.Code? {
    errorCode(Array(text.utf8), limits: limits)
}

@Suite("Strict JSON parser")
struct JSONParserTests {
    @Test("well-formed document parses to the expected values")
    func parsesDocument() throws {
        let value = try parse(#" {"a": [1, -2.5, true, false, null, "x\u00e9\n"], "b": {"c": 1e2}} "#)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[0] == .integer(1))
        #expect(value["a"]?.arrayValue?[1] == .double(-2.5))
        #expect(value["a"]?.arrayValue?[5] == .string("xé\n"))
        #expect(value["b"]?["c"] == .double(100))
        #expect(value.objectValue?.keys == ["a", "b"])
    }

    @Test("integer literal beyond Int64 becomes a double")
    func largeIntegerIsDouble() throws {
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test("surrogate pair escape decodes to one scalar")
    func surrogatePair() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test("duplicate member is rejected at any depth", arguments: [
        #"{"alg":"RS256","alg":"none"}"#,
        #"{"a":{"exp":1,"exp":2}}"#,
        #"[{"aud":"x","b":1,"aud":"y"}]"#,
    ])
    func duplicateMember(text: String) {
        #expect(errorCode(text) == .duplicateMember)
    }

    @Test("grammar violation is rejected", arguments: [
        ("01", JSONError.Code.unexpectedCharacter),
        ("-01", .unexpectedCharacter),
        ("1.", .unexpectedCharacter),
        (".5", .unexpectedCharacter),
        ("1e", .unexpectedCharacter),
        ("+1", .unexpectedCharacter),
        ("NaN", .unexpectedCharacter),
        ("Infinity", .unexpectedCharacter),
        ("-Infinity", .unexpectedCharacter),
        ("[1,]", .unexpectedCharacter),
        (#"{"a":1,}"#, .unexpectedCharacter),
        ("[1] // comment", .trailingData),
        ("/* c */ 1", .unexpectedCharacter),
        ("'a'", .unexpectedCharacter),
        (#"{a:1}"#, .unexpectedCharacter),
        ("[1] [2]", .trailingData),
        ("", .unexpectedCharacter),
        ("tru", .unexpectedCharacter),
        (#""abc"#, .unexpectedCharacter),
        (#""\x""#, .invalidEscape),
        (#""\u12""#, .invalidEscape),
        (#""\ud800""#, .loneSurrogate),
        (#""\ud800\u0041""#, .loneSurrogate),
        (#""\udc00""#, .loneSurrogate),
        ("\"a\tb\"", .controlCharacter),
        ("\u{0C}1", .unexpectedCharacter),
        ("1e309", .numberOutOfRange),
        ("-1e309", .numberOutOfRange),
    ])
    func grammarViolation(text: String, code: JSONError.Code) {
        #expect(errorCode(text) == code)
    }

    @Test("byte order mark is rejected")
    func byteOrderMark() {
        #expect(errorCode([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .byteOrderMark)
    }

    @Test("ill-formed UTF-8 in a string is rejected", arguments: [
        [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],  // truncated
        [0x22, 0xFF, 0x22],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(errorCode(bytes) == .invalidUTF8)
    }

    @Test("non-ASCII byte outside a string is rejected")
    func nonASCIIOutsideString() {
        #expect(errorCode([0x5B, 0xC3, 0xA9, 0x5D]) == .unexpectedCharacter)
    }

    @Test("nesting beyond the depth limit is rejected")
    func depthLimit() throws {
        let limits = JSONLimits(maxDepth: 3)
        #expect(try parse("[[[1]]]", limits: limits) == [[[1]]])
        #expect(errorCode("[[[[1]]]]", limits: limits) == .tooDeep)
        #expect(errorCode(String(repeating: "[", count: 10_000)) == .tooDeep)
    }

    @Test("input over the size limit is rejected")
    func sizeLimit() {
        #expect(errorCode("[1,2,3]", limits: JSONLimits(maxBytes: 6)) == .tooLarge)
    }

    @Test("error reports the byte offset")
    func errorOffset() {
        do {
            _ = try parse(#"{"a":1,"a":2}"#)
            Issue.record("duplicate member was accepted")
        } catch {
            #expect(error.offset == 7)
        }
    }
}
