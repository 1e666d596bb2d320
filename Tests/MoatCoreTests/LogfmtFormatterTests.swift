import Foundation
import MoatCore
import Testing

/// Formats the single entry that `write` logs through a fresh in-memory handler.
private func formattedLine(_ write: (Logger) -> Void) throws -> String {
    let handler = InMemoryLogHandler()
    write(Logger(label: "moat.test", level: .trace, handler: handler))
    let entry = try #require(handler.entries.first)
    return LogfmtFormatter.format(entry)
}

@Suite("LogfmtFormatter")
struct LogfmtFormatterTests {
    @Test("line starts with time, level, label and message")
    func fieldOrder() throws {
        let line = try formattedLine { $0.info("server started") }

        let pattern = #/^time=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z level=info label=moat\.test msg="server started"$/#
        #expect(line.wholeMatch(of: pattern) != nil, "unexpected line: \(line)")
    }

    @Test("metadata follows in sorted key order")
    func metadataSorted() throws {
        let line = try formattedLine { $0.info("done", metadata: ["moat.zeta": "1", "moat.alpha": "2", "moat.mid": "3"]) }

        #expect(line.hasSuffix(" moat.alpha=2 moat.mid=3 moat.zeta=1"), "unexpected line: \(line)")
    }

    @Test("value is quoted only when it needs quotes", arguments: [
        ("8080", "8080"),
        ("", #""""#),
        ("two words", #""two words""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\temp"#, #""C:\\temp""#),
        ("café", "café"),
    ])
    func valueQuoting(value: String, expected: String) throws {
        let line = try formattedLine { $0.info("m", metadata: ["moat.value": value]) }

        #expect(line.hasSuffix(" moat.value=\(expected)"), "unexpected line: \(line)")
    }

    @Test("control character in a value is escaped", arguments: [
        ("\n", #"\n"#),
        ("\r", #"\r"#),
        ("\t", #"\t"#),
        ("\u{0}", #"\u0000"#),
        ("\u{1B}", #"\u001b"#),
        ("\u{7F}", #"\u007f"#),
        ("\u{85}", #"\u0085"#),
        ("\u{2028}", #"\u2028"#),
        ("\u{2029}", #"\u2029"#),
    ])
    func controlCharacterEscaped(character: String, escaped: String) throws {
        let line = try formattedLine { $0.info("m", metadata: ["moat.value": "a\(character)b"]) }

        #expect(line.hasSuffix(#" moat.value="a"# + escaped + #"b""#), "unexpected line: \(line)")
    }

    @Test("value cannot forge a second line")
    func noForgedLine() throws {
        let forged = "x\ntime=2030-01-01T00:00:00.000Z level=critical label=moat.api msg=\"forged\"\r\n"

        let line = try formattedLine { $0.warning(forged, metadata: ["moat.user.name": forged]) }

        let lines = line.split(omittingEmptySubsequences: false) { $0.isNewline }
        #expect(lines.count == 1, "line was split: \(line)")
        #expect(line.contains(#"msg="x\ntime=2030-01-01T00:00:00.000Z level=critical"#))
        #expect(line.contains(#"moat.user.name="x\ntime=2030-01-01T00:00:00.000Z level=critical"#))
        #expect(line.hasSuffix(#"msg=\"forged\"\r\n""#))
    }

    @Test("key is reduced to letters, digits, dots, dashes and underscores")
    func keySanitized() throws {
        let line = try formattedLine { $0.info("m", metadata: ["moat.bad key\n=forged": "v"]) }

        #expect(line.hasSuffix(" moat.badkeyforged=v"), "unexpected line: \(line)")
        #expect(!line.contains("\n"))
    }
}
