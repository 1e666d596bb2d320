import Foundation
import MoatAudit
import MoatJSON
import MoatSQLite
import MoatTestSupport
import Testing

/// How the api ends a stream that cannot finish: the audit log fails closed
/// after the text went out, or the model breaks off mid-answer.
@Suite("streamed chat failures", .serialized)
struct StreamingChatFailureTests {
    @Test("audit failure ends the stream with audit_unavailable")
    func auditFailureEndsStream() async throws {
        let fixture = try await StreamingChatTests.start { $0.audit.lockTimeout = 0 }
        // Another writer holds the audit database, so the record written at the end of the stream fails.
        let other = try SQLiteDatabase(path: fixture.test.auditDatabase)
        try other.execute("BEGIN IMMEDIATE")
        let raw = try await fixture.askStreamed("Where do visitors park?")
        try other.execute("ROLLBACK")
        await fixture.stop()

        let (head, body) = try StreamingChatTests.split(raw)
        #expect(head.hasPrefix("HTTP/1.1 200"))
        let events = try StreamingChatTests.events(body)
        #expect(!StreamingChatTests.streamedText(events).isEmpty, "deltas go out before the record is written")
        let last = try #require(events.last)
        #expect(last.name == "error")
        #expect(last.data["code"]?.stringValue == "audit_unavailable")
        #expect(last.data["request_id"]?.stringValue == StreamingChatTests.requestID(inHead: head))
        #expect(!events.contains { $0.name == "done" || $0.name == "citations" })
        #expect(!StreamingChatTests.hasChunkedTerminator(raw), "the body must end without its last chunk")
        #expect(try StreamingChatTests.auditRecords(fixture, requestID: StreamingChatTests.requestID(inHead: head)).isEmpty)
        #expect(fixture.test.logs.entries.contains { $0.message == "audit record not written; request failed closed" })
    }

    @Test("model failure mid-stream sends an error event and is audited")
    func modelFailureMidStream() async throws {
        let fixture = try await StreamingChatTests.start(model: StreamingMisbehavingModel(failAfter: 8))
        let raw = try await fixture.askStreamed("Where do visitors park?")
        let requestID = StreamingChatTests.requestID(inHead: try StreamingChatTests.split(raw).head)
        var records: [JSONValue] = []
        for _ in 0..<50 where records.isEmpty {
            records = try StreamingChatTests.auditRecords(fixture, requestID: requestID)
            if records.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        await fixture.stop()

        let (_, body) = try StreamingChatTests.split(raw)
        let events = try StreamingChatTests.events(body)
        let last = try #require(events.last)
        #expect(last.name == "error")
        #expect(last.data["code"]?.stringValue == "answer_failed")
        #expect(last.data["request_id"]?.stringValue == requestID)
        #expect(!events.contains { $0.name == "done" || $0.name == "citations" })
        // The failure was recorded, so the body itself ends normally.
        #expect(StreamingChatTests.hasChunkedTerminator(raw))

        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record["reason"]?.stringValue == "answer_failed")
        #expect(record["decision"]?.stringValue == "error")
        // The record keeps at most what the model wrote before it failed: eight chunks of four characters.
        let recordedAnswer = try #require(record["answer"]?["text"]?.stringValue)
        #expect(!recordedAnswer.isEmpty)
        #expect(StreamingMisbehavingModel.reply(system: "", user: "Where do visitors park?").hasPrefix(recordedAnswer))
        #expect(recordedAnswer.count <= 32)
        #expect(fixture.test.logs.entries.contains { $0.message == "chat stream failed" && $0.metadata["moat.request.id"] == requestID })
    }
}
