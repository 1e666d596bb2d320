import Foundation
import MoatCrypto
import MoatHTTP
import Testing

@testable import MoatGateway

@Suite("Chunked session cookie")
struct SessionCookieTests {
    let cookie = ChunkedSealedCookie(key: SecureRandom.bytes(count: 32), name: "moat_gw_session")

    private func jar(_ pieces: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for (index, piece) in pieces.enumerated() {
            cookies[cookie.pieceName(index)] = piece
        }
        return cookies
    }

    @Test("long value round-trips across pieces")
    func longValueRoundTrips() throws {
        let plaintext = Data(String(repeating: "claims ", count: 2000).utf8)
        let pieces = try #require(try cookie.seal(plaintext))
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { $0.utf8.count <= ChunkedSealedCookie.pieceLength + 2 })
        #expect(cookie.open(jar(pieces)) == plaintext)
    }

    @Test("missing piece fails to open")
    func missingPieceFails() throws {
        var cookies = jar(try #require(try cookie.seal(Data(String(repeating: "x", count: 6000).utf8))))
        cookies["moat_gw_session_1"] = nil
        #expect(cookie.open(cookies) == nil)
    }

    @Test("value sealed under another name fails to open")
    func otherNameFails() throws {
        let other = ChunkedSealedCookie(key: cookie.key, name: "moat_gw_signin")
        let pieces = try #require(try other.seal(Data("session".utf8)))
        #expect(cookie.open(jar(pieces)) == nil)
    }

    @Test("cache key matches the cookie dictionary", arguments: cookieFieldCases)
    func cacheKeyMatchesDictionary(fields: [String]) {
        let request = HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders(fields.map { ("Cookie", $0) }))
        let expected = cookie.sealedValue(in: request.cookies).map(OpenedSessionCache.key(sealedValue:))
        #expect(cookie.sealedValueKey(in: request) == expected)
    }

    @Test("ASCII cookie field takes the fast path")
    func fastPathTaken() throws {
        let pieces = try #require(try cookie.seal(Data(String(repeating: "x", count: 6000).utf8)))
        let field = pieces.enumerated().map { "\(cookie.pieceName($0.offset))=\($0.element)" }.joined(separator: "; ")
        let expected = OpenedSessionCache.key(sealedValue: try #require(cookie.sealedValue(in: jar(pieces))))
        #expect(field.withUTF8Buffer { cookie.fastSealedValueKey(inCookieField: $0) } == .found(expected))
        #expect("moat_gw_session=1.caf\u{E9}".withUTF8Buffer { cookie.fastSealedValueKey(inCookieField: $0) } == .undecided)
        #expect("other=1".withUTF8Buffer { cookie.fastSealedValueKey(inCookieField: $0) } == .absent)
    }

    /// `Cookie` field values, each list one request, covering the rules of `HTTPRequest.cookies`.
    static let cookieFieldCases: [[String]] = [
        ["moat_gw_session=1.abc"],
        ["moat_gw_session=1."],
        ["other=1; moat_gw_session=1.abc; more=2"],
        ["  moat_gw_session\t=  1.abc\t ;x=y"],
        ["moat_gw_session=2.abc; moat_gw_session_1=def"],
        ["moat_gw_session_1=def; moat_gw_session=2.abc"],
        ["moat_gw_session=3.a; moat_gw_session_2=c; moat_gw_session_1=b"],
        ["moat_gw_session=2.abc"],
        ["moat_gw_session=2.abc; moat_gw_session_01=def"],
        ["moat_gw_session=2.abc; moat_gw_session_1=def; moat_gw_session_1=ghi"],
        ["moat_gw_session=1.first; moat_gw_session=1.second"],
        ["moat_gw_session=+1.abc"],
        ["moat_gw_session=01.abc"],
        ["moat_gw_session=0.abc"],
        ["moat_gw_session=9.abc"],
        ["moat_gw_session=abc"],
        ["moat_gw_session"],
        ["moat_gw_sessionx=1.abc"],
        ["moat_gw_session_=1.abc"],
        ["=1.abc; moat_gw_session=1.abc"],
        ["moat_gw_session=1.a=b=c"],
        ["moat_gw_session=1.caf\u{E9}"],
        ["moat_gw_session=2.abc; moat_gw_session_1=d\u{E9}f"],
        [";;moat_gw_session=1.abc;;"],
        ["no session here"],
        [""],
        ["moat_gw_session=2.abc", "moat_gw_session_1=def"],
        ["moat_gw_session=1.first", "moat_gw_session=1.second"],
        ["x=1", "y=2"],
        [],
    ]

    @Test("value too long for the piece limit is refused")
    func tooLongIsRefused() throws {
        let plaintext = Data(count: ChunkedSealedCookie.pieceLength * ChunkedSealedCookie.maxPieces)
        #expect(try cookie.seal(plaintext) == nil)
    }
}
