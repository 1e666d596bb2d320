import Foundation
import Testing

@testable import MoatJSON

@Suite("JSON member name table")
struct JSONMemberNameTableTests {
    static let table = JSONMemberNameTable([
        "tid", "oid", "appid", "appidacr", "preferred_username", "_claim_names", "_claim_sources", "hasgroups", "iss",
    ])

    private func index(_ text: String) throws -> JSONObjectIndex {
        try #require(try JSONObjectIndex.parse(bytes: Array(text.utf8)))
    }

    /// Each name's position must be the one a lookup by that name returns.
    private func expectSameAsLookups(_ claims: JSONObjectIndex, _ text: String) {
        let positions = claims.positions(of: Self.table)
        #expect(positions.count == Self.table.names.count)
        for (entry, name) in Self.table.names.enumerated() {
            #expect(positions[entry] == claims.position(of: name), "position of \(name) differs in \(text)")
        }
    }

    @Test("positions match lookups by name", arguments: [
        #"{"tid":"t","oid":"o","iss":"i"}"#,
        #"{"appid":"a","appidacr":"1","app":"x","appidac":"y"}"#,
        #"{"preferred_username":"u","preferred_usernames":"v","preferred_user":"w"}"#,
        #"{"_claim_names":{"groups":"src1"},"_claim_sources":{},"_claim_namez":1}"#,
        #"{"hasgroups":true,"hasgroupz":false,"x":1}"#,
        #"{}"#,
        #"{"unrelated":1,"other":[1,2]}"#,
    ])
    func matchesLookups(text: String) throws {
        expectSameAsLookups(try index(text), text)
    }

    @Test("escaped names match their decoded text")
    func escapedNames() throws {
        let text = #"{"\u0074id":"t","o\u0069d":"o","iss":"i","na\u00efve":1}"#
        let claims = try index(text)
        expectSameAsLookups(claims, text)
        let positions = claims.positions(of: Self.table)
        #expect(positions[0] == 0)
        #expect(positions[1] == 1)
        #expect(positions[8] == 2)
    }

    @Test("names differing only after byte eight")
    func tailMismatch() throws {
        // Same length and first eight bytes as "preferred_username", different tail.
        let claims = try index(#"{"preferred_usernamX":1,"preferred_usernaXe":2}"#)
        #expect(claims.positions(of: Self.table).allSatisfy { $0 == nil })
    }

    @Test("positional reads match named reads")
    func positionalReads() throws {
        let claims = try index(#"{"s":"a\u00e9","n":1.5,"i":3,"b":false,"a":["x","y"],"m":[1],"o":{"k":"v"}}"#)
        for name in ["s", "n", "i", "b", "a", "m", "o"] {
            let memberName = JSONMemberName(name)
            let position = try #require(claims.position(of: memberName))
            #expect(claims.kind(at: position) == claims.kind(of: memberName))
            #expect(claims.string(at: position) == claims.string(memberName))
            #expect(claims.number(at: position) == claims.number(memberName))
            #expect(claims.bool(at: position) == claims.bool(memberName))
            #expect(claims.strings(at: position) == claims.strings(memberName))
            #expect(claims.isStringArray(at: position) == claims.isStringArray(memberName))
            #expect(claims.value(at: position) == claims.value(memberName))
        }
        #expect(claims.string(at: 0) == "a\u{e9}")
        #expect(claims.strings(at: 4) == ["x", "y"])
        #expect(claims.strings(at: 5) == nil)
    }
}

@Suite("JSON object index string comparison")
struct JSONObjectIndexStringEqualsTests {
    @Test("stringEquals agrees with String equality", arguments: [
        (#""https://login.example/tenant/v2.0""#, "https://login.example/tenant/v2.0"),
        (#""https://login.example/tenant/v2.0""#, "https://login.example/tenant/v2.1"),
        (#""https://login.example/tenant/v2.0""#, "https://login.example/tenant/v2.0/"),
        (#""""#, ""),
        (#""a""#, ""),
        (#""\u0061b""#, "ab"),
        (#""a\/b""#, "a/b"),
        ("\"caf\u{e9}\"", "cafe\u{301}"),
        ("\"cafe\u{301}\"", "caf\u{e9}"),
        ("\"caf\u{e9}\"", "cafe"),
        (#""caf\u00e9""#, "caf\u{e9}"),
        ("1", "1"),
        ("null", "null"),
        (#"["a"]"#, "a"),
    ])
    func agreesWithStringEquality(value: String, expected: String) throws {
        let claims = try #require(try JSONObjectIndex.parse(bytes: Array(#"{"v":\#(value)}"#.utf8)))
        let decoded = claims.string(at: 0)
        #expect(claims.stringEquals(at: 0, expected) == (decoded == expected), "value \(value) against \(expected)")
    }

    @Test("precomposed and decomposed forms are equal")
    func canonicalEquivalence() throws {
        let claims = try #require(try JSONObjectIndex.parse(bytes: Array("{\"v\":\"caf\u{e9}\"}".utf8)))
        #expect(claims.stringEquals(at: 0, "cafe\u{301}"))
    }
}
