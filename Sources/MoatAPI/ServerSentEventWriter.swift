import Dispatch
import Foundation
import MoatHTTP
import MoatJSON

/// Writes server-sent events (WHATWG HTML, "server-sent events") into a
/// response body stream, in order, from any thread.
///
/// ``HTTPBodyStream/write(_:)`` blocks while a slow client leaves more than
/// its high-water mark unread, which must not happen on the cooperative
/// pool, so writes run on a serial dispatch queue and the callers never wait.
final class ServerSentEventWriter: Sendable {
    let stream: HTTPBodyStream
    private let queue = DispatchQueue(label: "moat.api.events")

    init(stream: HTTPBodyStream = HTTPBodyStream()) {
        self.stream = stream
    }

    /// Returns the response head for this stream: 200, `text/event-stream`, chunked.
    func response() -> HTTPResponse {
        var response = HTTPResponse(status: 200, headers: HTTPHeaders([
            ("Content-Type", "text/event-stream; charset=utf-8"),
            // Asks buffering reverse proxies such as nginx to pass each event on at once.
            ("X-Accel-Buffering", "no"),
        ]))
        response.bodyStream = stream
        return response
    }

    /// False once the client has gone away or the server has stopped. The
    /// server notices a closed connection only when it next sends bytes, so
    /// this turns false one or two events after the disconnect.
    var isClientConnected: Bool {
        stream.isWritable
    }

    /// Queues the event `name` with `data` serialised as JSON.
    func send(_ name: String, _ data: JSONValue) {
        let payload = String(decoding: data.serialized(), as: UTF8.self)
        // A line break inside `data` would end the field, so each line gets its own `data:`.
        let lines = payload.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined()
        let event = Data("event: \(name)\n\(lines)\n".utf8)
        queue.async { [stream] in
            stream.write(event)
        }
    }

    /// Ends the body normally after the queued events.
    func finish() {
        queue.async { [stream] in stream.finish() }
    }

    /// Ends the body after the queued events without the chunked terminator,
    /// so the client can tell the response is incomplete.
    func fail() {
        queue.async { [stream] in stream.fail() }
    }
}
