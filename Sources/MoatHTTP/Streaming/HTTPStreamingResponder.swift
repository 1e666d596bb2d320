import Foundation

/// A responder that starts as soon as a request's head has arrived and reads
/// the body while it streams in, for reverse proxies.
///
/// ``HTTPServer/init(configuration:streamingResponder:logger:)`` calls it once
/// per request. The `request` it receives has an empty ``HTTPRequest/body``;
/// the body arrives through `body`. The response may carry an
/// ``HTTPBodyStream`` (sent while it is written) or, with status 101, an
/// ``HTTPResponse/upgradeHandler`` that takes over the connection.
///
/// Limits still apply: a `Content-Length` above
/// ``HTTPServerConfiguration/maxBodyBytes`` gets a 413 problem before the
/// responder runs, and a chunked body that grows past it closes the connection.
public protocol HTTPStreamingResponder: Sendable {
    /// Returns the response to `request`, reading or discarding `body`.
    func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse
}

/// A streaming responder that answers through a completion callback instead
/// of an async function, so that a reverse proxy can finish a request on the
/// thread that received the upstream's response, without a hop through a task.
///
/// ``HTTPServer`` calls ``respond(to:body:completion:)`` on a libmicrohttpd
/// thread, which must not block: hand blocking work to another thread (for
/// example ``StreamingHTTPClient/runOnWorker(_:)``). Call `completion`
/// exactly once, from any thread, even from inside `respond`.
public protocol HTTPCallbackResponder: HTTPStreamingResponder {
    func respond(to request: HTTPRequest, body: HTTPRequestBody, completion: @escaping @Sendable (HTTPResponse) -> Void)
}

extension HTTPCallbackResponder {
    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        await withCheckedContinuation { continuation in
            respond(to: request, body: body) { continuation.resume(returning: $0) }
        }
    }
}

/// A streaming responder that returns its response from a thread that may
/// block: the default ``respond(to:body:)`` runs ``respondBlocking(to:body:)``
/// on a new thread, so the responder may wait for I/O (an upstream request,
/// a key fetch) without holding a network thread or a task.
public protocol HTTPBlockingResponder: HTTPStreamingResponder {
    func respondBlocking(to request: HTTPRequest, body: HTTPRequestBody) -> HTTPResponse
}

extension HTTPBlockingResponder {
    public func respond(to request: HTTPRequest, body: HTTPRequestBody) async -> HTTPResponse {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: self.respondBlocking(to: request, body: body))
            }
        }
    }
}
