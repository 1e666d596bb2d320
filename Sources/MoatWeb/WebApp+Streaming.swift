import Foundation
import MoatHTTP

/// The chat page's streamed answers need a server created with
/// `HTTPServer(configuration:streamingResponder:logger:)`, because a server
/// created with a plain responder ignores `HTTPResponse.bodyStream`. These
/// conformances read the whole request body first and then route as usual.
extension WebApp: HTTPStreamingResponder {
    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        switch await WebRequestBody.collect(request, from: body) {
        case .success(let complete):
            return await respond(to: complete)
        case .failure(let problem):
            return problem.response(requestID: request.requestID)
        }
    }
}

extension GatewayFrontedWebApp: HTTPStreamingResponder {
    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        switch await WebRequestBody.collect(request, from: body) {
        case .success(let complete):
            return await respond(to: complete)
        case .failure(let problem):
            return problem.response(requestID: request.requestID)
        }
    }
}

enum WebRequestBody {
    /// Largest request body read, in bytes; the same as the default of `HTTPServerConfiguration.maxBodyBytes`.
    static let maxBytes = 1 << 20

    /// Returns `request` with the body read from `body`, or the 413 or 400 problem that reading it ended with.
    static func collect(_ request: HTTPRequest, from body: HTTPRequestBody) async -> Result<HTTPRequest, ProblemDetails> {
        var complete = request
        if body.announcedLength == 0 {
            body.discard()
            return .success(complete)
        }
        do {
            complete.body = try await body.collect(limit: maxBytes)
            return .success(complete)
        } catch {
            return .failure(error)
        }
    }
}
