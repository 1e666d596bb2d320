import Foundation
import MoatHTTP
import MoatJSON

extension WebApp {
    /// Filters the admin page passes through to `GET /v1/audit`, in display order.
    static let auditFilterNames = ["user", "action", "decision", "since", "until"]

    /// `GET /admin/audit`: the audit log, newest first, with filters. The page calls
    /// `GET /v1/audit` with the user's own access token, so the api decides who may
    /// read it (the Admin role). A 403 from the api becomes a 403 page here.
    func adminAudit(_ request: HTTPRequest) async -> HTTPResponse {
        guard let (sessionID, session) = await currentSession(request) else {
            return .redirect(to: "/auth/login")
        }
        var filters: [String: String] = [:]
        for name in Self.auditFilterNames {
            if let value = request.queryValue(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                filters[name] = value
            }
        }

        var items = Self.auditFilterNames.compactMap { name in filters[name].map { URLQueryItem(name: name, value: $0) } }
        items.append(URLQueryItem(name: "limit", value: "50"))
        if let before = request.queryValue("before"), Int64(before) != nil {
            items.append(URLQueryItem(name: "before", value: before))
        }
        var components = URLComponents(url: configuration.apiBaseURL.appendingPathComponent("v1/audit"), resolvingAgainstBaseURL: false)
        components?.queryItems = items
        // `+` is a literal in URLComponents but a space to form decoders, so encode it explicitly.
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        guard let url = components?.url else {
            return .html(WebPages.error("the audit filters could not be turned into a request"), status: 400)
        }

        let userName = session.user.name ?? session.user.username ?? ""
        var headers = HTTPHeaders()
        // The same refresh as the chat calls, so the page keeps working after the access token expires.
        guard let accessToken = await freshAccessToken(sessionID: sessionID, requestID: request.requestID) else {
            var response = HTTPResponse.redirect(to: "/auth/login?return=/admin/audit", status: 303)
            response.setCookie(sessionCookie(value: "", maxAge: 0))
            return response
        }
        headers.add("Authorization", "Bearer \(accessToken)")
        headers.add("Accept", "application/json")
        headers.add("X-Request-Id", request.requestID)
        let upstream: HTTPClientResponse
        do {
            upstream = try await client.send(HTTPClientRequest(method: "GET", url: url, headers: headers, timeout: 30, maxResponseBytes: 8 << 20))
        } catch {
            logger.error("api call failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return .html(WebPages.error("the api could not be reached; try again shortly"), status: 502)
        }

        let body = try? JSONValue.parse(upstream.body, limits: JSONLimits(maxBytes: 8 << 20))
        switch upstream.status {
        case 200:
            let records = body?["records"]?.arrayValue ?? []
            let older = body?["next"] != nil ? records.last?["seq"]?.int64Value : nil
            return .html(WebPages.auditLog(userName: userName, filters: filters, records: records, olderThan: older))
        case 401:
            return .html(WebPages.error("your session has expired; sign in again at /auth/login"), status: 401)
        case 403:
            return .html(WebPages.error("the audit log needs the Admin role; ask an administrator to assign it"), status: 403)
        case 400:
            let detail = body?["detail"]?.stringValue ?? "a filter value is invalid"
            return .html(WebPages.auditLog(userName: userName, filters: filters, records: [], olderThan: nil, message: detail), status: 400)
        default:
            logger.error("api audit read failed", metadata: ["moat.request.id": request.requestID, "moat.http.status": "\(upstream.status)"])
            return .html(WebPages.error("the audit log could not be read; try again shortly"), status: 502)
        }
    }
}
