import Foundation
import MoatCrypto
import MoatHTTP
import MoatJOSE

/// A signed-in browser session, kept entirely in encrypted cookies so that
/// gateways need no shared store: the user's claims, their tokens (the token
/// store, used for refresh and for forwarding) and the expiry times.
struct GatewaySession: Sendable {
    /// Random id, hashed into ``GatewayCaller/sessionHash``.
    var id: String
    var tenantID: String
    var objectID: String
    var name: String?
    var username: String?
    var roles: [String]
    var groups: [String]
    var claims: [GatewayClaim]
    var idToken: String?
    var accessToken: String?
    /// Unix seconds.
    var accessTokenExpiresAt: Int64
    var refreshToken: String?
    /// Unix seconds of sign-in, for the absolute timeout.
    var createdAt: Int64
    /// Unix seconds of the last request that renewed the cookie, for the idle timeout.
    var lastSeen: Int64
}

/// Seals values into cookies with AES-256-GCM and splits long ones across
/// several cookies, because browsers keep at most about 4096 bytes per cookie.
///
/// The first cookie, `NAME`, contains `COUNT.` followed by the first piece,
/// and the others are `NAME_1`, `NAME_2`, ... The cookie name is the associated data,
/// so a value cannot be moved to another cookie.
struct ChunkedSealedCookie: Sendable {
    let key: Data
    let name: String
    /// Characters of sealed value per cookie, leaving room for name and attributes.
    static let pieceLength = 3800
    /// Pieces allowed; a longer value is refused, and an incoming cookie with more is ignored.
    static let maxPieces = 8

    /// Returns the cookie values to set, in order, or nil when the value is too long.
    func seal(_ plaintext: Data) throws -> [String]? {
        let sealed = FastBase64URL.encode(try AESGCM.seal(plaintext, key: key, associatedData: Data(name.utf8)))
        var pieces: [String] = []
        var rest = Substring(sealed)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(Self.pieceLength)))
            rest = rest.dropFirst(Self.pieceLength)
        }
        guard pieces.count <= Self.maxPieces else { return nil }
        pieces[0] = "\(pieces.count)." + pieces[0]
        return pieces
    }

    /// Cookie name of piece `index`.
    func pieceName(_ index: Int) -> String {
        index == 0 ? name : "\(name)_\(index)"
    }

    /// Returns the plaintext, or nil for anything not sealed by this key under this name.
    func open(_ cookies: [String: String]) -> Data? {
        sealedValue(in: cookies).flatMap(open(sealedValue:))
    }

    /// Returns the sealed value with its pieces joined and the count prefix
    /// removed, or nil when the first piece or a later one is missing.
    func sealedValue(in cookies: [String: String]) -> String? {
        guard let first = cookies[name], let dot = first.firstIndex(of: "."),
              let count = Int(first[..<dot]), (1...Self.maxPieces).contains(count)
        else { return nil }
        var sealed = String(first[first.index(after: dot)...])
        for index in 1..<count {
            guard let piece = cookies[pieceName(index)] else { return nil }
            sealed += piece
        }
        return sealed
    }

    /// Returns the plaintext of a value from ``sealedValue(in:)``, or nil for
    /// anything not sealed by this key under this name.
    func open(sealedValue sealed: String) -> Data? {
        guard let bytes = FastBase64URL.decode(sealed) else { return nil }
        return try? AESGCM.open(bytes, key: key, associatedData: Data(name.utf8))
    }

    /// The number of pieces the request carries, so stale ones can be deleted.
    func pieceCount(in cookies: [String: String]) -> Int {
        guard let first = cookies[name], let dot = first.firstIndex(of: "."), let count = Int(first[..<dot]) else {
            return cookies[name] == nil ? 0 : 1
        }
        return min(max(count, 1), Self.maxPieces)
    }

    /// Whether a cookie name belongs to this sealed cookie.
    func owns(cookieName: some StringProtocol) -> Bool {
        guard cookieName.utf8.starts(with: name.utf8) else { return false }
        let rest = cookieName.utf8.dropFirst(name.utf8.count)
        return rest.isEmpty || (rest.first == UInt8(ascii: "_") && rest.count > 1 && rest.dropFirst().allSatisfy { (0x30...0x39).contains($0) })
    }
}
