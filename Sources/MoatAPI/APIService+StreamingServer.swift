import Foundation
import MoatHTTP

/// Streamed answers need a server created with
/// `HTTPServer(configuration:streamingResponder:logger:)`; a server created
/// with a plain responder ignores `HTTPResponse.bodyStream`. These
/// conformances read the whole request body first and then route as usual.
extension APIService: HTTPStreamingResponder {
    /// Largest request body read, in bytes: a question of the maximum length in JSON fits many times over.
    static let maxRequestBodyBytes = 256 * 1024

    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        switch await Self.collectingBody(of: request, from: body) {
        case .success(let complete):
            return await respond(to: complete)
        case .failure(let problem):
            return problem.response(requestID: request.requestID)
        }
    }

    /// Returns `request` with the body read from `body`, or the 413 or 400 problem that reading it ended with.
    static func collectingBody(of request: HTTPRequest, from body: HTTPRequestBody) async -> Result<HTTPRequest, ProblemDetails> {
        var complete = request
        if body.announcedLength == 0 {
            body.discard()
            return .success(complete)
        }
        do {
            complete.body = try await body.collect(limit: maxRequestBodyBytes)
            return .success(complete)
        } catch {
            return .failure(error)
        }
    }
}

extension AppCallerAPI: HTTPStreamingResponder {
    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        switch await APIService.collectingBody(of: request, from: body) {
        case .success(let complete):
            return await respond(to: complete)
        case .failure(let problem):
            return problem.response(requestID: request.requestID)
        }
    }
}
