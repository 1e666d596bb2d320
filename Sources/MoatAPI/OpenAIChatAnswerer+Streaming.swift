import Foundation
import MoatCore
import MoatData
import MoatHTTP
import MoatJSON

extension OpenAIChatAnswerer: StreamingAnswerer {
    /// Requests the answer with `"stream": true` and usage in the last chunk,
    /// and passes each `choices[0].delta.content` to `onDelta` as it arrives.
    ///
    /// ``ChatModelConfiguration/timeout`` bounds the silence between two
    /// pieces of the stream, not the whole answer. An endpoint that ignores
    /// `stream` and replies with one JSON completion is accepted, and its
    /// text becomes a single delta.
    ///
    /// - Throws: `CancellationError` when `onDelta` returned false or the task
    ///   was cancelled (the model request is aborted); ``ModelError`` when the
    ///   request fails, the status is not 200, a chunk is not JSON, the stream
    ///   reports an error, or it ends before `[DONE]` or a `finish_reason`.
    public func streamAnswer(
        question: String, passages: [Passage], canary: String, onDelta: @escaping @Sendable (String) -> Bool
    ) async throws -> Answer {
        var body = requestBody(question: question, passages: passages, canary: canary)
        body["stream"] = .bool(true)
        body["stream_options"] = ["include_usage": .bool(true)]
        var headers = requestHeaders()
        headers.add("Accept", "text/event-stream")

        let progress = LockedValue(StreamProgress())
        let transfer = try ChatCompletionTransfer(
            url: configuration.endpoint, headers: headers, body: JSONValue.object(body).serialized(),
            connectTimeout: configuration.timeout, readTimeout: configuration.timeout
        ) { status, contentType, data in
            let deltas = progress.withLock { $0.receive(data, status: status, contentType: contentType) }
            for delta in deltas where !onDelta(delta) {
                progress.withLock { $0.readerLeft = true }
                return false
            }
            return !progress.current.hasFailed
        }
        let ending = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A thread of its own, because the transfer blocks it until the model is done.
                Thread.detachNewThread {
                    continuation.resume(returning: transfer.perform())
                }
            }
        } onCancel: {
            transfer.cancel()
        }

        var final = progress.current
        if final.readerLeft || Task.isCancelled {
            throw CancellationError()
        }
        if let failure = final.failure {
            throw failure
        }
        if case .failed(let reason) = ending {
            throw ModelError("the request to the model endpoint failed: \(reason)")
        }
        guard final.status == 200 else {
            throw ModelError("the model endpoint returned HTTP \(final.status)")
        }
        if final.isWholeCompletion {
            let json: JSONValue
            do {
                json = try JSONValue.parse(final.wholeBody)
            } catch {
                throw ModelError("the model response is not valid JSON: \(error)")
            }
            let answer = try answer(fromCompletion: json, passageCount: passages.count)
            guard onDelta(answer.text) else { throw CancellationError() }
            return answer
        }
        try final.finishStream()
        return Answer(
            text: final.text, citedPassages: Self.citedPassages(in: final.text, passageCount: passages.count),
            model: configuration.model, promptTokens: final.promptTokens, completionTokens: final.completionTokens
        )
    }
}

/// The part of a streamed completion delivered so far, updated on the transfer's thread.
struct StreamProgress: Sendable {
    var parser = ChatCompletionStreamParser()
    var status = 0
    var text = ""
    var promptTokens: Int?
    var completionTokens: Int?
    var sawEnd = false
    /// The endpoint answered with `application/json` instead of an event stream.
    var isWholeCompletion = false
    var wholeBody = Data()
    var failure: ModelError?
    /// `onDelta` returned false.
    var readerLeft = false

    /// Largest body kept from an error status or a whole JSON completion, in bytes.
    static let maxWholeBodyBytes = 4 << 20

    var hasFailed: Bool { failure != nil }

    /// Takes the next piece of the body and returns the text deltas it completes.
    mutating func receive(_ data: Data, status: Int, contentType: String) -> [String] {
        self.status = status
        guard status == 200 else { return [] }
        if contentType.hasPrefix("application/json") {
            isWholeCompletion = true
            wholeBody.append(data)
            if wholeBody.count > Self.maxWholeBodyBytes {
                failure = ModelError("the model response exceeds the limit of \(Self.maxWholeBodyBytes) bytes")
            }
            return []
        }
        do {
            return apply(try parser.feed(data))
        } catch {
            failure = error
            return []
        }
    }

    /// Reads what the body ended with and checks the stream ended properly.
    mutating func finishStream() throws(ModelError) {
        _ = apply(try parser.finish())
        if let failure { throw failure }
        guard sawEnd else {
            throw ModelError("the model stream ended before [DONE] or a finish_reason, so the answer may be cut short")
        }
    }

    private mutating func apply(_ events: [ChatCompletionStreamParser.Event]) -> [String] {
        var deltas: [String] = []
        for event in events {
            switch event {
            case .content(let piece):
                text += piece
                deltas.append(piece)
            case .usage(let prompt, let completion):
                promptTokens = prompt
                completionTokens = completion
            case .finished, .done:
                sawEnd = true
            case .error(let message):
                failure = ModelError("the model stream reported an error: \(message)")
            }
        }
        return deltas
    }
}
