import Foundation
import MoatJSON
import Testing

@Suite("JSONObject lookup")
struct JSONObjectLookupTests {
    /// Member counts on both sides of the switch from ordered search to the name index.
    static let sizes = [1, 3, 24, 25, 40]

    @Test("every member is found by name", arguments: sizes)
    func lookupFindsMembers(count: Int) throws {
        let text = "{" + (0..<count).map { "\"claim\($0)\":\($0)" }.joined(separator: ",") + "}"
        let object = try #require(try JSONValue.parse(Data(text.utf8)).objectValue)

        for index in 0..<count {
            #expect(object["claim\(index)"] == .integer(Int64(index)))
        }
        #expect(object["claim\(count)"] == nil)
        #expect(object.count == count)
    }

    @Test("duplicate member is rejected", arguments: sizes)
    func duplicateRejected(count: Int) {
        let members = (0..<count).map { "\"claim\($0)\":\($0)" } + ["\"claim\(count - 1)\":0"]
        let text = "{" + members.joined(separator: ",") + "}"

        #expect(throws: JSONError.self) { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test("names differing only in middle stay distinct")
    func middleDifference() throws {
        // The same length and first and last eight bytes, so only the full comparison distinguishes them.
        let text = #"{"abcdefgh-1-ijklmnop":1,"abcdefgh-2-ijklmnop":2,"é":3,"":4}"#
        let object = try #require(try JSONValue.parse(Data(text.utf8)).objectValue)

        #expect(object["abcdefgh-1-ijklmnop"] == .integer(1))
        #expect(object["abcdefgh-2-ijklmnop"] == .integer(2))
        #expect(object["abcdefgh-3-ijklmnop"] == nil)
        #expect(object["é"] == .integer(3))
        #expect(object[""] == .integer(4))
    }

    @Test("escaped duplicate name is rejected")
    func escapedDuplicateRejected() {
        #expect(throws: JSONError.self) { try JSONValue.parse(Data(#"{"aud":1,"\u0061ud":2}"#.utf8)) }
    }

    @Test("removed member is no longer found", arguments: sizes)
    func removal(count: Int) {
        var object = JSONObject()
        for index in 0..<count { object["claim\(index)"] = .integer(Int64(index)) }

        object["claim0"] = nil

        #expect(object["claim0"] == nil)
        #expect(object.count == count - 1)
        if count > 1 { #expect(object["claim\(count - 1)"] == .integer(Int64(count - 1))) }
    }

    @Test("large integer keeps exact value")
    func integers() throws {
        let text = #"{"a":999999999999999999,"b":-123456789012345678,"c":9223372036854775807,"d":-0}"#
        let object = try #require(try JSONValue.parse(Data(text.utf8)).objectValue)

        #expect(object["a"] == .integer(999_999_999_999_999_999))
        #expect(object["b"] == .integer(-123_456_789_012_345_678))
        #expect(object["c"] == .integer(Int64.max))
        #expect(object["d"] == .integer(0))
    }
}
