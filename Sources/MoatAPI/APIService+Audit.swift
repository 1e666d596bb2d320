import Foundation
import MoatAudit
import MoatHTTP
import MoatIdentity
import MoatJSON

extension APIService {
    /// `GET /v1/audit`: newest records first, at most 200 per page, with a `next` link
    /// that keeps the filters.
    ///
    /// Query parameters, all optional: `limit` (1...200, default 50), `before` (sequence
    /// number, for paging), `user` (`tid:oid`, object id or user name), `action`,
    /// `decision` (`allow`, `deny` or `error`), `since` and `until` (ISO 8601 time or date, inclusive).
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
        // A misspelt filter must not silently return the whole log.
        let known: Set<String> = ["limit", "before", "user", "action", "decision", "since", "until"]
        if let unknown = request.queryItems.map(\.name).first(where: { !known.contains($0) }) {
            throw ProblemDetails(
                status: 400, code: "invalid_parameter", title: "Bad Request",
                detail: "unknown query parameter \"\(unknown)\"; use \(known.sorted().joined(separator: ", "))"
            )
        }
        let limit = try integerParameter(request, "limit", default: 50, range: 1...200)
        let before = try request.queryValue("before").map { _ in try integerParameter(request, "before", default: 0, range: 1...Int.max) }
        var query = try auditQuery(request)
        query.beforeSequence = before.map(Int64.init)
        let records = try audit.records(matching: query, limit: limit)
        var body: JSONObject = ["records": .array(records)]
        if records.count == limit, let last = records.last?["seq"]?.int64Value {
            var items = [URLQueryItem(name: "limit", value: "\(limit)"), URLQueryItem(name: "before", value: "\(last)")]
            for name in ["user", "action", "decision", "since", "until"] {
                if let value = request.queryValue(name) { items.append(URLQueryItem(name: name, value: value)) }
            }
            var components = URLComponents()
            components.path = "/v1/audit"
            components.queryItems = items
            // `+` is a literal in URLComponents but a space to query decoders, so encode it explicitly.
            let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            components.percentEncodedQuery = query
            body["next"] = .string(components.string ?? "/v1/audit")
        }
        return Outcome(response: .json(data: JSONValue.object(body).serialized()))
    }

    /// Parses the filters of `GET /v1/audit`; a malformed value is a 400 naming it.
    private func auditQuery(_ request: HTTPRequest) throws -> AuditQuery {
        var query = AuditQuery()
        query.user = request.queryValue("user").flatMap { $0.isEmpty ? nil : $0 }
        query.action = request.queryValue("action").flatMap { $0.isEmpty ? nil : $0 }
        if let text = request.queryValue("decision"), !text.isEmpty {
            guard let decision = AuditEntry.Decision(rawValue: text) else {
                throw ProblemDetails(status: 400, code: "invalid_parameter", title: "Bad Request", detail: "decision=\(text) is not one of allow, deny, error")
            }
            query.decision = decision
        }
        for name in ["since", "until"] {
            guard let text = request.queryValue(name), !text.isEmpty else { continue }
            guard let time = AuditQuery.parseTime(text) else {
                throw ProblemDetails(
                    status: 400, code: "invalid_parameter", title: "Bad Request",
                    detail: "\(name)=\(text) is not an ISO 8601 time such as 2026-03-01 or 2026-03-01T08:00:00Z"
                )
            }
            if name == "since" { query.since = time } else { query.until = time }
        }
        return query
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
