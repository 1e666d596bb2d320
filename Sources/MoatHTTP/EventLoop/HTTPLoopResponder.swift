/// A streaming responder that answers most requests on the server's event
/// loop thread, without a hand-off to another thread, for reverse proxies.
///
/// On a server with ``HTTPServerConfiguration/Concurrency/eventLoops(_:)``
/// the loop calls ``respondOnLoop(to:)`` for each request without a body,
/// right after its head was read. The method must not block and must not
/// wait for I/O: it returns a response, an upstream request for the loop to
/// send, or ``HTTPLoopDecision/runBlocking`` to have the server call
/// ``HTTPStreamingResponder/respond(to:body:)`` on another thread, as on the
/// other server modes. Requests with a body always take that path.
public protocol HTTPLoopResponder: HTTPStreamingResponder {
    func respondOnLoop(to request: HTTPRequest) -> HTTPLoopDecision
}

/// What ``HTTPLoopResponder/respondOnLoop(to:)`` wants done with a request.
public enum HTTPLoopDecision: Sendable {
    /// Send this response.
    case respond(HTTPResponse)
    /// Send `request` from the loop and reply with what `complete` makes of
    /// the upstream's response head (or failure). A plain `http` URL whose
    /// host is an IP literal or `localhost` goes through the loop's own
    /// HTTP/1.1 client. Any other URL goes through its libcurl multi handle. The loop
    /// calls `complete` on its own thread, where it must not block either. A
    /// body larger than ``StreamingClientRequest/bufferLimit``, or of unknown
    /// length, arrives as an ``HTTPBodyStream`` that the loop keeps writing.
    case forward(StreamingClientRequest, complete: @Sendable (Result<StreamingClientResponse, HTTPClientError>) -> HTTPResponse)
    /// Call ``HTTPStreamingResponder/respond(to:body:)`` on another thread,
    /// for work that may block: a key fetch, a sign-in, a WebSocket upgrade.
    case runBlocking
}
