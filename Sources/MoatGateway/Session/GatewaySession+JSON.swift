import Foundation

/// The session's sealed form: fields as length-prefixed UTF-8 strings in a
/// fixed order, behind a version byte. A binary form, because parsing JSON
/// on every request was a large share of a request's cost.
extension GatewaySession {
    private static let version: UInt8 = 1

    func serialized() -> Data {
        var writer = FieldWriter()
        writer.bytes.append(Self.version)
        for field in [id, tenantID, objectID] {
            writer.write(field)
        }
        for optional in [name, username, idToken, accessToken, refreshToken] {
            writer.write(optional)
        }
        writer.write(String(accessTokenExpiresAt))
        writer.write(String(createdAt))
        writer.write(String(lastSeen))
        writer.write(roles)
        writer.write(groups)
        writer.write(claims.flatMap { [$0.typ, $0.val] })
        return Data(writer.bytes)
    }

    /// Reads a session written by ``serialized()``; nil for anything else.
    init?(serialized data: Data) {
        var reader = FieldReader(bytes: [UInt8](data))
        guard reader.byte() == Self.version,
              let id = reader.string(), let tenantID = reader.string(), let objectID = reader.string(),
              let name = reader.optional(), let username = reader.optional(), let idToken = reader.optional(),
              let accessToken = reader.optional(), let refreshToken = reader.optional(),
              let expiry = reader.string().flatMap({ Int64($0) }), let created = reader.string().flatMap({ Int64($0) }),
              let seen = reader.string().flatMap({ Int64($0) }),
              let roles = reader.list(), let groups = reader.list(), let claimValues = reader.list(),
              claimValues.count % 2 == 0, reader.isAtEnd
        else { return nil }
        let claims = stride(from: 0, to: claimValues.count, by: 2).map { GatewayClaim(typ: claimValues[$0], val: claimValues[$0 + 1]) }
        self.init(
            id: id, tenantID: tenantID, objectID: objectID, name: name, username: username, roles: roles, groups: groups,
            claims: claims, idToken: idToken, accessToken: accessToken, accessTokenExpiresAt: expiry,
            refreshToken: refreshToken, createdAt: created, lastSeen: seen
        )
    }
}

/// Writes strings as a 4-byte big-endian length and the UTF-8 bytes.
private struct FieldWriter {
    var bytes: [UInt8] = []

    mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        writeLength(utf8.count)
        bytes += utf8
    }

    /// An absent value is written as the length 0xFFFFFFFF.
    mutating func write(_ text: String?) {
        guard let text else {
            writeLength(Int(UInt32.max))
            return
        }
        write(text)
    }

    mutating func write(_ list: [String]) {
        writeLength(list.count)
        for item in list {
            write(item)
        }
    }

    private mutating func writeLength(_ length: Int) {
        let value = UInt32(truncatingIfNeeded: length)
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// Reads what ``FieldWriter`` wrote; every read returns nil past the end.
private struct FieldReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func length() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func string() -> String? {
        guard let length = length(), length != UInt32.max, offset + Int(length) <= bytes.count else { return nil }
        defer { offset += Int(length) }
        return String(validating: bytes[offset..<offset + Int(length)], as: UTF8.self)
    }

    /// Returns `.some(nil)` for an absent value and nil for malformed input.
    mutating func optional() -> String?? {
        guard offset + 4 <= bytes.count else { return nil }
        if bytes[offset..<offset + 4].allSatisfy({ $0 == 0xFF }) {
            offset += 4
            return .some(nil)
        }
        return string().map { .some($0) }
    }

    mutating func list() -> [String]? {
        guard let count = length(), count <= 4096 else { return nil }
        var items: [String] = []
        for _ in 0..<count {
            guard let item = string() else { return nil }
            items.append(item)
        }
        return items
    }
}
