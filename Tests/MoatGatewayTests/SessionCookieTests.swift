import Foundation
import MoatCrypto
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

    @Test("value too long for the piece limit is refused")
    func tooLongIsRefused() throws {
        let plaintext = Data(count: ChunkedSealedCookie.pieceLength * ChunkedSealedCookie.maxPieces)
        #expect(try cookie.seal(plaintext) == nil)
    }
}
