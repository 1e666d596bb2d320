import Foundation
import MoatCrypto
import MoatHTTP
import MoatIdentity
import MoatJSON

extension WebApp {
    /// `GET /api/me`: the user's name and roles, as the api sees their token.
    func apiMe(_ request: HTTPRequest) async -> HTTPResponse {
        guard let (id, _) = await currentSession(request) else {
            return notSignedIn(request)
        }
        return await forward(request, sessionID: id, method: "GET", path: "/v1/me", body: nil)
    }

    /// `POST /api/chat`: forwards `{"question": ...}` to the api with the user's access token.
    /// Needs the session's CSRF token in `X-CSRF-Token` and a same-origin `Origin`.
    /// With `Accept: text/event-stream` the api's server-sent events are relayed
    /// while they arrive (see ``ChatStreamRelay``); otherwise the answer is JSON.
    func apiChat(_ request: HTTPRequest) async -> HTTPResponse {
        guard let (id, session) = await currentSession(request) else {
            return notSignedIn(request)
        }
        if let rejection = originRejection(request) {
            return rejection.response(requestID: request.requestID)
        }
        guard let token = request.headers["X-CSRF-Token"], ConstantTime.equals(token, session.csrfToken) else {
            return ProblemDetails(status: 403, code: "csrf_failed", title: "Forbidden", detail: "the X-CSRF-Token header is missing or wrong; reload the page")
                .response(requestID: request.requestID)
        }
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            return ProblemDetails(status: 415, code: "unsupported_media_type", title: "Unsupported Media Type", detail: "send the question as application/json")
                .response(requestID: request.requestID)
        }
        if ChatResponseFormat.requested(by: request) == .eventStream {
            return await forwardStreamed(request, sessionID: id, path: "/v1/chat")
        }
        return await forward(request, sessionID: id, method: "POST", path: "/v1/chat", body: request.body)
    }

    /// Calls the api with a fresh access token, asking for server-sent events, and relays the answer.
    private func forwardStreamed(_ request: HTTPRequest, sessionID: String, path: String) async -> HTTPResponse {
        guard let accessToken = await freshAccessToken(sessionID: sessionID, requestID: request.requestID) else {
            return sessionExpired(request)
        }
        let headers = HTTPHeaders([
            ("Authorization", "Bearer \(accessToken)"), ("Accept", ChatResponseFormat.eventStream.acceptHeader),
            ("X-Request-Id", request.requestID), ("Content-Type", "application/json"),
        ])
        let url = configuration.apiBaseURL.appendingPathComponent(String(path.dropFirst()))
        do {
            return try await ChatStreamRelay(logger: logger).relay(to: url, headers: headers, body: request.body, requestID: request.requestID)
        } catch {
            logger.error("api call failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return apiUnreachable(request)
        }
    }

    private func sessionExpired(_ request: HTTPRequest) -> HTTPResponse {
        var response = ProblemDetails(status: 401, code: "session_expired", title: "Unauthorized", detail: "the session has expired; sign in again")
            .response(requestID: request.requestID)
        response.setCookie(sessionCookie(value: "", maxAge: 0))
        return response
    }

    private func apiUnreachable(_ request: HTTPRequest) -> HTTPResponse {
        ProblemDetails(status: 502, code: "api_unreachable", title: "Bad Gateway", detail: "the api could not be reached; try again shortly")
            .response(requestID: request.requestID)
    }

    private func notSignedIn(_ request: HTTPRequest) -> HTTPResponse {
        ProblemDetails(status: 401, code: "not_signed_in", title: "Unauthorized", detail: "sign in first at /auth/login")
            .response(requestID: request.requestID)
    }

    /// Calls the api with a fresh access token and passes its JSON or problem response through.
    private func forward(_ request: HTTPRequest, sessionID: String, method: String, path: String, body: Data?) async -> HTTPResponse {
        guard let accessToken = await freshAccessToken(sessionID: sessionID, requestID: request.requestID) else {
            return sessionExpired(request)
        }
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer \(accessToken)")
        headers.add("Accept", "application/json")
        headers.add("X-Request-Id", request.requestID)
        if body != nil { headers.add("Content-Type", "application/json") }
        let url = configuration.apiBaseURL.appendingPathComponent(String(path.dropFirst()))
        do {
            let upstream = try await client.send(HTTPClientRequest(method: method, url: url, headers: headers, body: body, timeout: 120, maxResponseBytes: 4 << 20))
            var response = HTTPResponse(status: upstream.status, body: upstream.body)
            response.headers.set("Content-Type", upstream.headers["Content-Type"] ?? "application/json")
            return response
        } catch {
            logger.error("api call failed", metadata: ["moat.request.id": request.requestID, "moat.error": "\(error)"])
            return apiUnreachable(request)
        }
    }

    /// The session's access token, refreshed (with refresh-token rotation) when
    /// it expires within two minutes; nil when it cannot be refreshed.
    func freshAccessToken(sessionID: String, requestID: String) async -> String? {
        guard let session = await sessions.session(id: sessionID) else { return nil }
        if session.accessTokenExpiresAt.timeIntervalSince(clock.now()) > 120 {
            return session.accessToken
        }
        guard let refreshToken = session.refreshToken else { return nil }
        do {
            let tokens = try await relyingParty.refresh(refreshToken: refreshToken)
            let expiresAt = clock.now().addingTimeInterval(TimeInterval(tokens.expiresIn))
            await sessions.update(id: sessionID) { session in
                session.accessToken = tokens.accessToken
                session.accessTokenExpiresAt = expiresAt
                session.refreshToken = tokens.refreshToken ?? session.refreshToken
            }
            logger.info("access token refreshed", metadata: ["moat.request.id": requestID])
            return tokens.accessToken
        } catch {
            logger.warning("access token refresh failed; session ended", metadata: ["moat.request.id": requestID, "moat.error": "\(error)"])
            await sessions.remove(id: sessionID)
            return nil
        }
    }
}
