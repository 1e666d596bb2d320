import Foundation
import MoatCore
import MoatHTTP
import MoatJSON
import MoatTestSupport
import Testing

@testable import MoatAPI

@Suite("OpenAIChatAnswerer streaming against a loopback stand-in")
struct OpenAIChatStreamingTests {
    static let passages = [
        passage("The daily travel allowance is 45 euros.", title: "Travel policy", page: 3, documentID: "doc-1"),
        passage("Receipts are kept for ten years.", title: "Finance handbook", documentID: "doc-2"),
    ]

    static func answerer(_ endpoint: URL) -> OpenAIChatAnswerer {
        OpenAIChatAnswerer(configuration: ChatModelConfiguration(endpoint: endpoint, model: "test-model", apiKey: "sk-test-4f9c2a7e1b", timeout: 30))
    }

    @Test("deltas arrive in order and make up the answer")
    func deltasMakeUpAnswer() async throws {
        let text = "The allowance is 45 euros [1] and receipts stay ten years [2]."
        let standIn = StreamingChatStandIn(pieces: tokenPieces(text), usage: (prompt: 120, completion: 17))
        let deltas = LockedValue<[String]>([])

        let answer = try await withStreamingStandIn(standIn) { endpoint in
            try await Self.answerer(endpoint).streamAnswer(question: "allowance?", passages: Self.passages, canary: "moat-canary-abc") { delta in
                deltas.withLock { $0.append(delta) }
                return true
            }
        }

        #expect(deltas.current == tokenPieces(text))
        #expect(answer.text == text)
        #expect(answer.citedPassages == [1, 2])
        #expect(answer.promptTokens == 120)
        #expect(answer.completionTokens == 17)
        #expect(answer.model == "test-model")
    }

    @Test("request asks for a stream with usage")
    func requestAsksForStream() async throws {
        let standIn = StreamingChatStandIn(pieces: ["Hello"])

        _ = try await withStreamingStandIn(standIn) { endpoint in
            try await Self.answerer(endpoint).streamAnswer(question: "hi", passages: Self.passages, canary: "") { _ in true }
        }

        let body = try #require(standIn.requests.first)
        #expect(body["stream"] == .bool(true))
        #expect(body["stream_options"]?["include_usage"] == .bool(true))
        #expect(body["messages"]?.arrayValue?.last?["content"]?.stringValue == "hi")
    }

    @Test("first delta arrives before the model finishes")
    func firstDeltaBeforeEnd() async throws {
        let standIn = StreamingChatStandIn(pieces: ["The ", "answer ", "is ", "here."], pauseAfter: 1)
        let firstSeen = DispatchSemaphore(value: 0)

        let answer = try await withStreamingStandIn(standIn) { endpoint in
            async let streamed = Self.answerer(endpoint).streamAnswer(question: "q", passages: Self.passages, canary: "") { delta in
                if delta == "The " { firstSeen.signal() }
                return true
            }
            // The stand-in keeps the rest back until resumed, so the first delta cannot be the whole answer arriving late.
            let seen = try await onThread { firstSeen.wait(timeout: .now() + 60) == .success }
            #expect(seen)
            standIn.resume()
            return try await streamed
        }

        #expect(answer.text == "The answer is here.")
    }

    @Test("reader leaving cancels the model request")
    func readerLeavingCancels() async throws {
        let standIn = StreamingChatStandIn(pieces: Array(repeating: "word ", count: 400), delayMilliseconds: 5)

        let outcome: (any Error)? = try await withStreamingStandIn(standIn) { endpoint in
            do {
                _ = try await Self.answerer(endpoint).streamAnswer(question: "q", passages: Self.passages, canary: "") { _ in false }
                return nil
            } catch {
                return error
            }
        }

        #expect(outcome is CancellationError)
        let ending = try #require(standIn.waitForEnding())
        guard case .cancelled(let sent) = ending else {
            Issue.record("the stand-in sent the whole reply: \(ending)")
            return
        }
        #expect(sent < 400)
    }

    @Test("error status is a model error")
    func errorStatusThrows() async throws {
        let standIn = ChatCompletionsStandIn { _ in .json(["error": ["message": "overloaded"]], status: 503) }

        let thrown: (any Error)? = try await withStandIn(standIn) { endpoint in
            do {
                _ = try await Self.answerer(endpoint).streamAnswer(question: "q", passages: Self.passages, canary: "") { _ in true }
                return nil
            } catch {
                return error
            }
        }

        let error = try #require(thrown as? ModelError)
        #expect(error.reason.contains("HTTP 503"))
    }

    @Test("unreachable endpoint names libcurl's reason")
    func unreachableEndpointReason() async throws {
        // Bound but not listening, so it refuses connections and no parallel test can take it.
        let (reserved, port) = try openLoopbackSocket(backlog: nil)
        defer { close(reserved) }
        let endpoint = try #require(URL(string: "http://127.0.0.1:\(port)/v1/chat/completions"))

        let thrown: (any Error)?
        do {
            _ = try await Self.answerer(endpoint).streamAnswer(question: "q", passages: Self.passages, canary: "") { _ in true }
            thrown = nil
        } catch {
            thrown = error
        }

        // libcurl's generic text for the code names no port; its own message does.
        let error = try #require(thrown as? ModelError)
        #expect(error.reason.contains("port \(port)"))
    }

    @Test("endpoint ignoring stream gives one delta")
    func wholeCompletionIsOneDelta() async throws {
        let standIn = ChatCompletionsStandIn(content: "It is 45 euros [1].")
        let deltas = LockedValue<[String]>([])

        let answer = try await withStandIn(standIn) { endpoint in
            try await Self.answerer(endpoint).streamAnswer(question: "q", passages: Self.passages, canary: "") { delta in
                deltas.withLock { $0.append(delta) }
                return true
            }
        }

        #expect(deltas.current == ["It is 45 euros [1]."])
        #expect(answer.citedPassages == [1])
    }
}

/// Runs blocking work on a thread of its own.
private func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
