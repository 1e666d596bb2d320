import Foundation
import MoatJSON

/// The session's JSON form, written and read with MoatJSON because
/// Foundation's JSONDecoder was a large share of each request's cost.
extension GatewaySession {
    func serialized() -> Data {
        var object: JSONObject = [
            "id": .string(id), "tid": .string(tenantID), "oid": .string(objectID),
            "roles": .array(roles.map { .string($0) }), "groups": .array(groups.map { .string($0) }),
            "claims": .array(claims.map { .array([.string($0.typ), .string($0.val)]) }),
            "at_exp": .integer(accessTokenExpiresAt), "created": .integer(createdAt), "seen": .integer(lastSeen),
        ]
        object["name"] = name.map { .string($0) }
        object["upn"] = username.map { .string($0) }
        object["id_token"] = idToken.map { .string($0) }
        object["access_token"] = accessToken.map { .string($0) }
        object["refresh_token"] = refreshToken.map { .string($0) }
        return JSONValue.object(object).serialized()
    }

    /// Reads a session written by ``serialized()``; nil for anything else.
    init?(serialized data: Data) {
        guard let object = (try? JSONValue.parse(data))?.objectValue,
              let id = object["id"]?.stringValue, let tenantID = object["tid"]?.stringValue, let objectID = object["oid"]?.stringValue,
              let accessTokenExpiresAt = object["at_exp"]?.int64Value, let createdAt = object["created"]?.int64Value,
              let lastSeen = object["seen"]?.int64Value
        else { return nil }
        let strings: (String) -> [String] = { object[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let claims: [GatewayClaim] = object["claims"]?.arrayValue?.compactMap { pair in
            guard let values = pair.arrayValue, values.count == 2, let typ = values[0].stringValue, let val = values[1].stringValue else { return nil }
            return GatewayClaim(typ: typ, val: val)
        } ?? []
        self.init(
            id: id, tenantID: tenantID, objectID: objectID, name: object["name"]?.stringValue, username: object["upn"]?.stringValue,
            roles: strings("roles"), groups: strings("groups"), claims: claims, idToken: object["id_token"]?.stringValue,
            accessToken: object["access_token"]?.stringValue, accessTokenExpiresAt: accessTokenExpiresAt,
            refreshToken: object["refresh_token"]?.stringValue, createdAt: createdAt, lastSeen: lastSeen
        )
    }
}
