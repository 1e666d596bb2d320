import Foundation
@testable import MoatHTTP

enum HeldEventStream {
    /// Builds a `text/event-stream` response that sends `data: first` at once and
    /// `data: second` only after `release` is signalled (or 15 s passed), so a
    /// test can check that the first event arrives before the body ends.
    static func response(release: DispatchSemaphore) -> HTTPResponse {
        let stream = HTTPBodyStream()
        Thread.detachNewThread {
            stream.write(Data("data: first\n\n".utf8))
            _ = release.wait(timeout: .now() + 15)
            stream.write(Data("data: second\n\n".utf8))
            stream.finish()
        }
        var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
        response.bodyStream = stream
        return response
    }
}
