import Foundation
import MoatCore
import Testing

@Suite("Logger")
struct LoggerTests {
    static let levelPairs = Logger.Level.allCases.flatMap { threshold in
        Logger.Level.allCases.map { (threshold, $0) }
    }

    @Test("entry is written only at or above the logger level", arguments: levelPairs)
    func levelFiltering(threshold: Logger.Level, level: Logger.Level) {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", level: threshold, handler: handler)

        logger.log(level, "event")

        #expect(handler.entries.count == (level >= threshold ? 1 : 0))
    }

    @Test("each level method writes its own level")
    func levelMethods() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", level: .trace, handler: handler)

        logger.trace("m")
        logger.debug("m")
        logger.info("m")
        logger.notice("m")
        logger.warning("m")
        logger.error("m")
        logger.critical("m")

        #expect(handler.entries.map(\.level) == Logger.Level.allCases)
    }

    @Test("filtered message is never built")
    func filteredMessageNotEvaluated() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", level: .error, handler: handler)
        var evaluations = 0
        func message() -> String {
            evaluations += 1
            return "expensive"
        }

        logger.debug(message())

        #expect(evaluations == 0)
        #expect(handler.entries.isEmpty)
    }

    @Test("disabled logger builds no message at any level")
    func disabledWritesNothing() {
        var evaluations = 0
        func message() -> String {
            evaluations += 1
            return "dropped"
        }

        for level in Logger.Level.allCases {
            Logger.disabled.log(level, message())
        }
        Logger.disabled.with(["moat.request.id": "r1"]).critical(message())
        Logger.disabled.relabeled("moat.api").critical(message())

        #expect(evaluations == 0)
    }

    @Test("with merges metadata and the newer value wins")
    func withMergesMetadata() throws {
        let handler = InMemoryLogHandler()
        let base = Logger(label: "moat.test", handler: handler, metadata: ["moat.a": "base", "moat.b": "base"])

        base.with(["moat.b": "request", "moat.c": "request"]).info("m")

        let entry = try #require(handler.entries.first)
        #expect(entry.metadata == ["moat.a": "base", "moat.b": "request", "moat.c": "request"])
    }

    @Test("with leaves the original logger unchanged")
    func withReturnsCopy() throws {
        let handler = InMemoryLogHandler()
        let base = Logger(label: "moat.test", handler: handler, metadata: ["moat.a": "base"])

        _ = base.with(["moat.a": "changed"])
        base.info("m")

        #expect(base.metadata == ["moat.a": "base"])
        #expect(try #require(handler.entries.first).metadata == ["moat.a": "base"])
    }

    @Test("call-site metadata wins over logger metadata")
    func callSiteMetadataWins() throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", handler: handler, metadata: ["moat.a": "logger", "moat.b": "logger"])

        logger.info("m", metadata: ["moat.b": "call"])

        let entry = try #require(handler.entries.first)
        #expect(entry.metadata == ["moat.a": "logger", "moat.b": "call"])
    }

    @Test("relabeled keeps handler, level and metadata")
    func relabeledKeepsSettings() throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", level: .warning, handler: handler, metadata: ["moat.a": "1"])

        let relabeled = logger.relabeled("moat.other")
        relabeled.info("dropped")
        relabeled.warning("kept")

        let entry = try #require(handler.entries.first)
        #expect(handler.entries.count == 1)
        #expect(entry.label == "moat.other")
        #expect(entry.message == "kept")
        #expect(entry.metadata == ["moat.a": "1"])
    }

    @Test("entry carries label, level, message and a current time")
    func entryFields() throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.api", handler: handler)
        let before = Date()

        logger.notice("request completed")

        let entry = try #require(handler.entries.first)
        #expect(entry.label == "moat.api")
        #expect(entry.level == .notice)
        #expect(entry.message == "request completed")
        #expect(entry.time >= before.addingTimeInterval(-1))
        #expect(entry.time <= Date().addingTimeInterval(1))
    }

    @Test("level parses its name in any case", arguments: Logger.Level.allCases)
    func levelNameRoundTrip(level: Logger.Level) {
        #expect(Logger.Level(name: level.name) == level)
        #expect(Logger.Level(name: level.name.uppercased()) == level)
    }

    @Test("unknown level name is rejected", arguments: ["", "warn", "fatal", "info "])
    func unknownLevelName(name: String) {
        #expect(Logger.Level(name: name) == nil)
    }

    @Test("levels are ordered from trace to critical")
    func levelOrder() {
        #expect(Logger.Level.allCases.map(\.name) == ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        #expect(Logger.Level.allCases == Logger.Level.allCases.sorted())
    }
}

@Suite("InMemoryLogHandler")
struct InMemoryLogHandlerTests {
    @Test("entries are kept oldest first")
    func entriesInOrder() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", handler: handler)

        for number in 1...5 {
            logger.info("entry \(number)")
        }

        #expect(handler.entries.map(\.message) == (1...5).map { "entry \($0)" })
    }

    @Test("concurrent writes are all kept")
    func concurrentWrites() async {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "moat.test", handler: handler)

        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<250 {
                        logger.info("entry", metadata: ["moat.id": "\(task)-\(index)"])
                    }
                }
            }
        }

        #expect(handler.entries.count == 2000)
        #expect(Set(handler.entries.compactMap { $0.metadata["moat.id"] }).count == 2000)
    }
}
