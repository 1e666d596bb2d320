/// Something that turns a request into a response; ``HTTPServer`` calls it
/// once per request, concurrently for concurrent requests.
public protocol HTTPResponder: Sendable {
    /// Returns the response to `request`. There is no error path: failures
    /// are responses too (see ``ProblemDetails``).
    func respond(to request: HTTPRequest) async -> HTTPResponse
}

/// A route handler.
///
/// A thrown ``ProblemDetails`` becomes its response. Any other error becomes
/// a 500 `internal_error` problem whose body does not mention the error.
/// The server logs that error at error level with the request id.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

extension HTTPResponse {
    /// Runs `handler` and turns a thrown error into a problem response.
    static func catching(_ request: HTTPRequest, _ handler: HTTPHandler) async -> HTTPResponse {
        do {
            return try await handler(request)
        } catch let problem as ProblemDetails {
            return problem.response(requestID: request.requestID)
        } catch {
            var response = ProblemDetails.internalError().response(requestID: request.requestID)
            response.failure = "handler threw \(type(of: error)): \(error)"
            return response
        }
    }
}
