import Foundation
import Testing

@testable import MoatJSON

private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

@Suite("JSON serialization and JCS")
struct JSONSerializationTests {
    @Test("serialized output keeps insertion order")
    func insertionOrder() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = "x"
        object["m"] = [true, nil]
        #expect(text(JSONValue.object(object).serialized()) == #"{"z":1,"a":"x","m":[true,null]}"#)
    }

    @Test("serialized output parses back to an equal value")
    func roundTrip() throws {
        let value: JSONValue = ["s": "a\"b\\c\u{01}\n/é😀", "n": -12.75, "i": 42, "o": ["k": []]]
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test("control characters are escaped")
    func controlEscapes() {
        #expect(text(JSONValue.string("\u{08}\u{0C}\u{1F}\t").serialized()) == #""\b\f\u001f\t""#)
    }

    @Test("canonical form sorts members by UTF-16 code units")
    func canonicalOrder() {
        // U+1D11E is the pair D834 DD1E in UTF-16, and D834 is above 20AC, so it sorts last.
        let value: JSONValue = ["\u{20AC}": 1, "\u{1D11E}": 2, "a": 3, "\r": 4, "1": 5, "\u{80}": 6, "ö": 7]
        #expect(text(value.canonicalized()) == "{\"\\r\":4,\"1\":5,\"a\":3,\"\u{80}\":6,\"ö\":7,\"\u{20AC}\":1,\"\u{1D11E}\":2}")
    }

    @Test("canonical numbers follow ECMAScript formatting", arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (100.0, "100"),
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"),
        (0.000001, "0.000001"), (0.0000001, "1e-7"), (1.5e-7, "1.5e-7"),
        (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (4.5, "4.5"), (0.1, "0.1"), (333333333.3333333, "333333333.3333333"),
        (9007199254740992.0, "9007199254740992"), (295147905179352830000.0, "295147905179352830000"),
    ])
    func ecmaScriptNumbers(value: Double, expected: String) {
        #expect(text(JSONValue.double(value).canonicalized()) == expected)
    }

    @Test("canonical form matches the RFC 8785 §3.2.2 example")
    func rfcExample() throws {
        let input = #"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}"#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(text(try JSONValue.parse(Data(input.utf8)).canonicalized()) == expected)
    }

    @Test("object equality ignores member order")
    func objectEquality() {
        let first: JSONObject = ["a": 1, "b": 2]
        let second: JSONObject = ["b": 2, "a": 1]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != ["a": 1, "b": 3])
    }

    @Test("assigning nil removes a member")
    func removeMember() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["c"] == 3)
    }
}

@Suite("StrictJSON decoding")
struct StrictJSONTests {
    struct Header: Decodable { let alg: String }

    @Test("duplicate member is rejected before JSONDecoder sees it")
    func rejectsDuplicate() {
        #expect(throws: JSONError.self) {
            try StrictJSON.decode(Header.self, from: Data(#"{"alg":"RS256","alg":"none"}"#.utf8))
        }
    }

    @Test("strict JSON decodes into a Decodable type")
    func decodes() throws {
        #expect(try StrictJSON.decode(Header.self, from: Data(#"{"alg":"ES256"}"#.utf8)).alg == "ES256")
    }
}
