import Foundation
import MoatCore

@testable import MoatHTTP

/// A streaming responder built from a closure.
struct StreamingHandler: HTTPStreamingResponder {
    let handle: @Sendable (HTTPRequest, HTTPRequestBody) async -> HTTPResponse

    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        await handle(request, body)
    }
}
