import Foundation
import MoatHTTP
import MoatJOSE
import MoatJSON

/// Microsoft Graph's `POST /v1.0/users/{id}/getMemberObjects`, enough of it
/// for an API to resolve a token's group overage: it returns the ids of the
/// user's groups as `{"value": [...]}`.
///
/// The caller needs an app-only token from this provider for the directory's
/// Graph application (client id `00000003-0000-0000-c000-000000000000`) with
/// one of the application roles `GroupMember.Read.All`, `Directory.Read.All`
/// or `User.Read.All`. Errors use Graph's shape: `{"error": {"code", "message"}}`.
extension DevIdentityProvider {
    static let graphRoles: Set<String> = ["GroupMember.Read.All", "Directory.Read.All", "User.Read.All"]

    func getMemberObjects(_ request: HTTPRequest) -> HTTPResponse {
        guard let graph = directory.graphApp else {
            return graphError(404, "Request_ResourceNotFound", "this directory registers no Microsoft Graph application")
        }
        let header = request.headers["Authorization"] ?? ""
        guard header.hasPrefix("Bearer ") else {
            return graphError(401, "InvalidAuthenticationToken", "access token is empty")
        }
        let claims: JSONObject
        do {
            let audiences = [graph.clientID] + (graph.identifierURI.map { [$0] } ?? [])
            claims = try incomingTokenVerifier(audiences: audiences).verify(String(header.dropFirst(7)), now: clock.now()).claims
        } catch {
            return graphError(401, "InvalidAuthenticationToken", "access token validation failure: \(error.code.name)")
        }
        guard claims["idtyp"]?.stringValue == "app" else {
            return graphError(403, "Authorization_RequestDenied", "getMemberObjects needs an app-only token")
        }
        let roles = claims["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard roles.contains(where: Self.graphRoles.contains) else {
            return graphError(403, "Authorization_RequestDenied", "insufficient privileges: the application needs GroupMember.Read.All or Directory.Read.All")
        }
        guard let objectID = request.pathParameters["id"], let user = directory.user(objectID: objectID) else {
            return graphError(404, "Request_ResourceNotFound", "the user does not exist")
        }
        let ids = directory.groupObjectIDs(of: user).map { JSONValue.string($0) }
        logger.info("group memberships read", metadata: ["moat.request.id": request.requestID, "moat.user.oid": user.objectID])
        return .json(data: JSONValue.object([
            "@odata.context": .string("\(baseURL)/v1.0/$metadata#Collection(Edm.String)"),
            "value": .array(ids),
        ]).serialized())
    }

    private func graphError(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        .json(data: JSONValue.object(["error": ["code": .string(code), "message": .string(message)]]).serialized(), status: status)
    }
}
