import Foundation
import MoatJSON

/// Reads the server-sent events of a streamed chat completion
/// (`"stream": true`) as they arrive in pieces of any size.
///
/// Each event's `data` is one JSON chunk such as
/// `{"choices":[{"delta":{"content":"Hel"}}]}`, and the literal `[DONE]`
/// ends the stream. With `"stream_options": {"include_usage": true}` the
/// last chunk carries `usage` and an empty `choices`. Field parsing follows
/// the WHATWG HTML "server-sent events" section: lines end at LF, CRLF or CR,
/// `data` lines of one event are joined with LF, a blank line dispatches the
/// event, and comment lines (`:` first) are ignored.
struct ChatCompletionStreamParser {
    /// What one event of the stream says.
    enum Event: Equatable {
        case content(String)
        case usage(prompt: Int?, completion: Int?)
        /// A chunk whose choice has a `finish_reason`, such as `stop` or `length`.
        case finished(reason: String)
        /// An `error` object in place of a chunk, as some servers send mid-stream.
        case error(String)
        case done
    }

    private var pending = Data()
    private var dataLines: [String] = []
    private var lastByteWasCR = false

    /// Adds the next piece of the body and returns the events it completes.
    ///
    /// - Throws: ``ModelError`` when an event's data is neither `[DONE]` nor JSON.
    mutating func feed(_ data: Data) throws(ModelError) -> [Event] {
        var events: [Event] = []
        for byte in data {
            // A CR ends a line, and an LF right after it belongs to the same line break.
            if byte == 0x0A, lastByteWasCR {
                lastByteWasCR = false
                continue
            }
            lastByteWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                events += try endLine()
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    /// Dispatches an event the body ended without a blank line after.
    mutating func finish() throws(ModelError) -> [Event] {
        var events: [Event] = []
        if !pending.isEmpty { events += try endLine() }
        return events + (try dispatch())
    }

    private mutating func endLine() throws(ModelError) -> [Event] {
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        if line.isEmpty {
            return try dispatch()
        }
        if line.hasPrefix(":") { return [] }
        let name = line.prefix { $0 != ":" }
        guard name == "data" else { return [] }
        var value = line.dropFirst(name.count + 1)
        if value.first == " " { value = value.dropFirst() }
        dataLines.append(String(value))
        return []
    }

    /// Turns the collected `data` lines into events; one chunk may carry content, a finish reason and usage.
    private mutating func dispatch() throws(ModelError) -> [Event] {
        guard !dataLines.isEmpty else { return [] }
        let payload = dataLines.joined(separator: "\n")
        dataLines.removeAll()
        if payload == "[DONE]" { return [.done] }

        let chunk: JSONValue
        do {
            chunk = try JSONValue.parse(Data(payload.utf8))
        } catch {
            throw ModelError("a chunk of the model stream is not valid JSON: \(error)")
        }
        if let error = chunk["error"], !error.isNull {
            return [.error(error["message"]?.stringValue ?? "unnamed error")]
        }
        var events: [Event] = []
        let choice = chunk["choices"]?.arrayValue?.first
        if let content = choice?["delta"]?["content"]?.stringValue, !content.isEmpty {
            events.append(.content(content))
        }
        if let reason = choice?["finish_reason"]?.stringValue {
            events.append(.finished(reason: reason))
        }
        if let usage = chunk["usage"]?.objectValue {
            events.append(.usage(
                prompt: usage["prompt_tokens"]?.int64Value.map(Int.init),
                completion: usage["completion_tokens"]?.int64Value.map(Int.init)
            ))
        }
        return events
    }
}
