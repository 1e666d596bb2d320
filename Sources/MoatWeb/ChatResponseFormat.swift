import Foundation
import MoatHTTP

/// The form of a chat answer the browser requested: one JSON object, or
/// server-sent events while the model writes (the `Accept` field decides).
public enum ChatResponseFormat: Sendable, Equatable {
    case json
    case eventStream

    /// Returns `.eventStream` when the request's `Accept` lists
    /// `text/event-stream` (RFC 9110 §12.5.1), otherwise `.json`.
    public static func requested(by request: HTTPRequest) -> ChatResponseFormat {
        let listsEventStream = request.headers.values(for: "Accept").contains { value in
            value.split(separator: ",").contains { range in
                let mediaType = range.split(separator: ";", maxSplits: 1).first ?? ""
                return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "text/event-stream"
            }
        }
        return listsEventStream ? .eventStream : .json
    }

    /// The `Accept` value sent to the api. Errors still come back as
    /// `application/problem+json`, because the api rejects a request before it starts the stream.
    var acceptHeader: String {
        switch self {
        case .json: "application/json"
        case .eventStream: "text/event-stream"
        }
    }
}
