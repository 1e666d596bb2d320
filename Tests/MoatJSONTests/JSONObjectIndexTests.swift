import Foundation
import Testing

@testable import MoatJSON

private func parserError(_ bytes: [UInt8], limits: JSONLimits = .init()) -> JSONError? {
    do {
        _ = try JSONValue.parse(bytes: bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func indexError(_ bytes: [UInt8], limits: JSONLimits = .init()) -> JSONError? {
    do {
        _ = try JSONObjectIndex.parse(bytes: bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func index(_ text: String) throws -> JSONObjectIndex {
    try #require(try JSONObjectIndex.parse(bytes: Array(text.utf8)))
}

@Suite("JSON object index")
struct JSONObjectIndexTests {
    /// Texts that the full parser rejects, each also placed as a member value
    /// and inside an array, so the nested paths of the index are checked too.
    static let rejectedValues = [
        "01", "-01", "1.", ".5", "1e", "+1", "NaN", "Infinity", "[1,]", #"{"a":1,}"#, "'a'", #"{a:1}"#, "tru",
        #""abc"#, #""\x""#, #""\u12""#, #""\ud800""#, #""\ud800\u0041""#, #""\udc00""#, "\"a\tb\"", "1e309", "-1e309",
        #"{"exp":1,"exp":2}"#, #"{"a":1,"\u0061":2}"#, "[1] [2]",
    ]

    @Test("index rejects what the parser rejects", arguments: rejectedValues)
    func rejectsLikeParser(value: String) {
        for text in [value, #"{"v":\#(value)}"#, #"{"a":[\#(value)]}"#, #"{"a":{"b":\#(value)}}"#] {
            let expected = parserError(Array(text.utf8))
            #expect(expected != nil, "parser accepted \(text)")
            #expect(indexError(Array(text.utf8)) == expected, "index result differs for \(text)")
        }
    }

    @Test("index rejects ill-formed UTF-8 like the parser", arguments: [
        [0x22, 0xC0, 0xAF, 0x22],
        [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0xE2, 0x82, 0x22],
        [0x22, 0xFF, 0x22],
        [0xEF, 0xBB, 0xBF, 0x7B, 0x7D],
    ] as [[UInt8]])
    func rejectsUTF8LikeParser(value: [UInt8]) {
        let text = Array(#"{"v":"#.utf8) + value + [0x7D]
        for bytes in [value, text] {
            let expected = parserError(bytes)
            #expect(expected != nil, "parser accepted \(bytes)")
            #expect(indexError(bytes) == expected)
        }
    }

    @Test("index applies depth and size limits")
    func limits() {
        let deep = Array(#"{"a":[[[1]]]}"#.utf8)
        let shallow = JSONLimits(maxDepth: 3)
        #expect(indexError(deep, limits: shallow)?.code == .tooDeep)
        #expect((try? JSONObjectIndex.parse(bytes: deep, limits: JSONLimits(maxDepth: 4))) != nil)
        #expect(indexError(Array("{}".utf8), limits: JSONLimits(maxBytes: 1))?.code == .tooLarge)
    }

    @Test("valid text that is not an object gives nil", arguments: ["[1]", "1", #""s""#, "null", " true "])
    func notAnObject(text: String) throws {
        #expect(try JSONObjectIndex.parse(bytes: Array(text.utf8)) == nil)
    }

    @Test("decoded object equals the parsed one")
    func objectMatchesParser() throws {
        let text = #"""
            {"iss":"https://x.example/t/v2.0","aud":["a","b\u00e9"],"exp":1700000000,"big":123456789012345678901,
             "d":-2.5e3,"t":true,"f":false,"n":null,"o":{"k":[{"z":"\ud83d\ude00"}]},"\u0065sc":"a\"b\\c\n","é":"ü"}
            """#
        let parsed = try JSONValue.parse(bytes: Array(text.utf8)).objectValue
        let indexed = try index(text)
        #expect(indexed.object() == parsed)
        #expect(indexed.count == 11)
        #expect(indexed.names == parsed?.keys)
    }

    @Test("typed reads return the value or nil")
    func typedReads() throws {
        let claims = try index(#"{"s":"a\u0062c","i":42,"d":1.5,"b":true,"list":["x","y"],"mixed":["x",1],"empty":[],"o":{}}"#)
        #expect(claims.string("s") == "abc")
        #expect(claims.string("i") == nil)
        #expect(claims.string("missing") == nil)
        #expect(claims.number("i") == 42)
        #expect(claims.number("d") == 1.5)
        #expect(claims.number("s") == nil)
        #expect(claims.bool("b") == true)
        #expect(claims.bool("i") == nil)
        #expect(claims.strings("list") == ["x", "y"])
        #expect(claims.strings("mixed") == nil)
        #expect(claims.strings("s") == nil)
        #expect(claims.strings("empty") == [])
        #expect(claims.isStringArray("mixed") == false)
        #expect(claims.isStringArray("empty"))
        #expect(claims.kind(of: "o") == .object)
        #expect(claims.kind(of: "d") == .double)
        #expect(claims.value("list") == ["x", "y"])
    }

    @Test("names match by scalars like JSONObject")
    func nameEquivalence() throws {
        let text = #"{"\u0074id":"t","\u212A":"kelvin","K":"k","preferred_username":"p","preferred_usernamE":"q"}"#
        let claims = try index(text)
        let object = try #require(try JSONValue.parse(bytes: Array(text.utf8)).objectValue)
        #expect(claims.string("tid") == "t")
        // U+212A KELVIN SIGN is canonically equivalent to "K", but small objects compare scalars.
        #expect(claims.string("K") == "k")
        #expect(claims.string("\u{212A}") == "kelvin")
        #expect(object["K"] == "k")
        #expect(object["\u{212A}"] == "kelvin")
        #expect(claims.string("preferred_username") == "p")
        #expect(claims.string("preferred_usernamE") == "q")
        #expect(claims.contains("preferred_user") == false)
    }

    @Test("names differing after eight bytes stay distinct")
    func longNames() throws {
        let claims = try index(#"{"abcdefgh1":1,"abcdefgh2":2,"abcdefgh":3}"#)
        #expect(claims.number("abcdefgh1") == 1)
        #expect(claims.number("abcdefgh2") == 2)
        #expect(claims.number("abcdefgh") == 3)
        #expect(claims.number("abcdefgh3") == nil)
    }

    @Test("canonically equivalent names follow JSONObject", arguments: [1, 24, 25, 40])
    func canonicalNames(size: Int) {
        let members = (0..<size).map { #""member\#($0)":\#($0)"# }
        let text = #"{\#(members.joined(separator: ",")),"K":1,"\u212A":2}"#
        #expect(indexError(Array(text.utf8)) == parserError(Array(text.utf8)))
    }

    @Test("duplicate is found in objects of any size", arguments: [1, 23, 24, 25, 60])
    func duplicateInLargeObject(size: Int) {
        let members = (0..<size).map { #""member\#($0)":\#($0)"# }
        let duplicate = #"{\#(members.joined(separator: ",")),"member\#(size / 2)":0}"#
        let escaped = #"{\#(members.joined(separator: ",")),"\u006dember0":0}"#
        let distinct = "{\(members.joined(separator: ","))}"
        #expect(indexError(Array(duplicate.utf8)) == parserError(Array(duplicate.utf8)))
        #expect(indexError(Array(duplicate.utf8))?.code == .duplicateMember)
        #expect(indexError(Array(escaped.utf8))?.code == .duplicateMember)
        #expect((try? JSONObjectIndex.parse(bytes: Array(distinct.utf8)))??.count == size)
    }

    @Test("duplicate of each earlier member is found")
    func duplicateOfEachMember() {
        // Twenty plain names set many bits of the indexer's one-word filter, so
        // some new names share a bit and some duplicates must not be skipped.
        let members = (0..<20).map { #""claim_\#($0)":\#($0)"# }
        for repeated in 0..<20 {
            let text = #"{\#(members.joined(separator: ",")),"claim_\#(repeated)":0}"#
            #expect(indexError(Array(text.utf8))?.code == .duplicateMember, "claim_\(repeated)")
        }
        let distinct = "{\(members.joined(separator: ","))}"
        #expect(indexError(Array(distinct.utf8)) == nil)
    }

    @Test("duplicate found whichever name is escaped")
    func duplicateWithEscapedFirst() {
        let escapedFirst = #"{"\u0061ud":1,"iss":2,"aud":3}"#
        let escapedBoth = #"{"\u0061ud":1,"iss":2,"a\u0075d":3}"#
        let longNames = #"{"preferred_username":1,"preferred_usernames":2,"preferred_username":3}"#
        let sharedPrefix = #"{"preferred_username":1,"preferred_usernames":2}"#
        #expect(indexError(Array(escapedFirst.utf8))?.code == .duplicateMember)
        #expect(indexError(Array(escapedBoth.utf8))?.code == .duplicateMember)
        #expect(indexError(Array(longNames.utf8))?.code == .duplicateMember)
        #expect(indexError(Array(sharedPrefix.utf8)) == nil)
    }

    @Test("object in memory is indexed with its members")
    func indexFromObject() {
        let object: JSONObject = ["iss": "x", "exp": 5, "aud": ["a"]]
        let claims = JSONObjectIndex(object)
        #expect(claims.string("iss") == "x")
        #expect(claims.number("exp") == 5)
        #expect(claims.strings("aud") == ["a"])
        #expect(claims.object() == object)
    }
}

