import Foundation
import MoatHTTP
import MoatIdentity
import MoatJSON

extension APIService {
    /// `GET /v1/audit?limit=N&before=SEQ`: newest records first, at most 200 per page.
    func readAudit(_ request: HTTPRequest, _ principal: Principal) async throws -> Outcome {
        let allowed = principal.kind == .user
            ? principal.hasRole(configuration.auditUserRole)
            : principal.hasRole(configuration.auditAppRole)
        guard allowed else {
            throw ProblemDetails(
                status: 403, code: "missing_role", title: "Forbidden",
                detail: "reading the audit log needs the \(configuration.auditUserRole) role (users) or \(configuration.auditAppRole) (applications)"
            )
        }
        let limit = try integerParameter(request, "limit", default: 50, range: 1...200)
        let before = try request.queryValue("before").map { _ in try integerParameter(request, "before", default: 0, range: 1...Int.max) }
        let records = try audit.records(limit: limit, beforeSequence: before.map(Int64.init))
        var body: JSONObject = ["records": .array(records)]
        if records.count == limit, let last = records.last?["seq"]?.int64Value {
            body["next"] = .string("/v1/audit?limit=\(limit)&before=\(last)")
        }
        return Outcome(response: .json(data: JSONValue.object(body).serialized()))
    }

    /// `GET /v1/me`: the principal as the api sees it.
    func me(_ request: HTTPRequest, _ principal: Principal) async throws -> Outcome {
        Outcome(response: .json(principal))
    }

    private func integerParameter(_ request: HTTPRequest, _ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.queryValue(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ProblemDetails(
                status: 400, code: "invalid_parameter", title: "Bad Request",
                detail: "\(name)=\(text) is not an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }
}
