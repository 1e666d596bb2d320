import Foundation
import MoatCore
import Testing

@Suite("RepeatedLogLimiter")
struct RepeatedLogLimiterTests {
    let handler = InMemoryLogHandler()
    let clock = ManualClock()
    var logger: Logger { Logger(label: "moat.test", level: .trace, handler: handler) }

    private func summaries() -> [LogEntry] {
        handler.entries.filter { $0.message == "repeated log entries summarized" }
    }

    private func fullEntries() -> [LogEntry] {
        handler.entries.filter { $0.message == "token rejected" }
    }

    @Test("first event per code is logged at warning")
    func firstEventLogged() throws {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)

        limiter.record(code: "token_expired", message: "token rejected", metadata: ["moat.request.id": "r1"], logger: logger)

        let entry = try #require(handler.entries.first)
        #expect(handler.entries.count == 1)
        #expect(entry.level == .warning)
        #expect(entry.metadata["moat.request.id"] == "r1")
        #expect(entry.metadata["moat.log.code"] == "token_expired")
    }

    @Test("flood within interval logs one line")
    func floodSuppressed() {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)

        for index in 0..<1000 {
            limiter.record(code: "invalid_signature", message: "token rejected", metadata: ["moat.request.id": "r\(index)"], logger: logger)
            clock.advance(by: 0.05)
        }

        #expect(handler.entries.count == 1)
        #expect(handler.entries.first?.metadata["moat.request.id"] == "r0")
    }

    @Test("next event after interval writes count summary")
    func summaryAfterInterval() throws {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)
        for _ in 0..<5 {
            limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)
        }

        clock.advance(by: 60)
        limiter.record(code: "token_expired", message: "token rejected", metadata: ["moat.request.id": "late"], logger: logger)

        let summary = try #require(summaries().first)
        #expect(summaries().count == 1)
        #expect(summary.level == .warning)
        #expect(summary.metadata["moat.log.code"] == "token_expired")
        #expect(summary.metadata["moat.log.suppressed"] == "4")
        #expect(summary.metadata["moat.log.interval_seconds"] == "60")
        #expect(summary.metadata["moat.log.message"] == "token rejected")
        // The event that arrived after the interval opens a new one and is logged in full.
        #expect(fullEntries().count == 2)
        #expect(fullEntries().last?.metadata["moat.request.id"] == "late")
    }

    @Test("codes are counted separately")
    func codesSeparate() {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)

        for _ in 0..<3 {
            limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)
            limiter.record(code: "invalid_signature", message: "token rejected", metadata: [:], logger: logger)
        }
        clock.advance(by: 61)
        limiter.flush(logger: logger)

        #expect(fullEntries().map { $0.metadata["moat.log.code"] } == ["token_expired", "invalid_signature"])
        let counts = Dictionary(uniqueKeysWithValues: summaries().map { ($0.metadata["moat.log.code"] ?? "", $0.metadata["moat.log.suppressed"] ?? "") })
        #expect(counts == ["invalid_signature": "2", "token_expired": "2"])
    }

    @Test("event of another code closes ended interval")
    func otherCodeClosesInterval() {
        let limiter = RepeatedLogLimiter(interval: 10, clock: clock)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)

        clock.advance(by: 10)
        limiter.record(code: "audience_mismatch", message: "token rejected", metadata: [:], logger: logger)

        #expect(summaries().count == 1)
        #expect(summaries().first?.metadata["moat.log.suppressed"] == "1")
    }

    @Test("flush before interval end writes nothing")
    func flushEarly() {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)

        clock.advance(by: 59)
        limiter.flush(logger: logger)

        #expect(summaries().isEmpty)
    }

    @Test("single event leaves no summary")
    func quietCodeNoSummary() {
        let limiter = RepeatedLogLimiter(interval: 60, clock: clock)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)

        clock.advance(by: 120)
        limiter.flush(logger: logger)
        limiter.record(code: "token_expired", message: "token rejected", metadata: [:], logger: logger)

        #expect(summaries().isEmpty)
        #expect(fullEntries().count == 2)
    }
}
