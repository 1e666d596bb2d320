import Foundation
import MoatAudit
import MoatJSON
import Testing

@Suite("Audit export formats")
struct AuditExportTests {
    @Test("JSON Lines export is the stored canonical record")
    func jsonlIsStoredText() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2)
        let records = try AuditReader(path: path).records(matching: AuditQuery(), limit: 10)

        for record in records {
            #expect(AuditExportFormat.jsonl.line(for: record) == record.text)
            #expect(!record.text.contains("\n"))
        }
        #expect(records.count == 2)
    }

    @Test("CEF line has the header and the mapped fields")
    func cefLine() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 1)
        let record = try #require(try AuditReader(path: path).records(matching: AuditQuery(), limit: 1).first)

        let line = AuditExportFormat.cef.line(for: record)

        #expect(line.hasPrefix("CEF:0|Moat|Moat|2|chat|chat allow|3|"))
        #expect(line.contains("rt=1800000001000"))
        #expect(line.contains("externalId=request-1 "))
        #expect(line.contains("act=chat "))
        #expect(line.contains("outcome=allow "))
        #expect(line.contains("suid=tenant-1:user-1 "))
        #expect(line.contains("suser=user1@example.test "))
        #expect(line.contains("cs2Label=documents cs2=doc-1:internal"))
        #expect(line.contains("cn3Label=seq cn3=1"))
        #expect(line.contains("cs5Label=contentPolicy cs5=prompt:stored,answer:stored"))
        #expect(line.contains("cs6Label=guardrails cs6=pii.email:redact"))
    }

    @Test("CEF header escapes backslash and pipe and drops line breaks", arguments: [
        ("a|b", "a\\|b"), ("a\\b", "a\\\\b"), ("a\nb", "a b"), ("a=b", "a=b"),
    ])
    func cefHeaderEscaping(input: String, expected: String) {
        #expect(CEFFormatter.escapeHeader(input) == expected)
    }

    @Test("CEF extension escapes backslash, equals and line breaks", arguments: [
        ("a=b", "a\\=b"), ("a\\b", "a\\\\b"), ("a\nb", "a\\nb"), ("a\rb", "a\\rb"), ("a|b", "a|b"),
    ])
    func cefExtensionEscaping(input: String, expected: String) {
        #expect(CEFFormatter.escapeExtension(input) == expected)
    }

    @Test("CEF keeps an injected key inside its value")
    func cefInjection() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, options: storedOptions())
        var entry = sampleEntry(1)
        entry.action = "chat|x"
        entry.userName = "eve outcome=allow\nCEF:0|forged"
        try log.append(entry)
        let record = try #require(try AuditReader(path: path).records(matching: AuditQuery(), limit: 1).first)

        let line = AuditExportFormat.cef.line(for: record)

        #expect(line.hasPrefix("CEF:0|Moat|Moat|2|chat\\|x|chat\\|x allow|3|"))
        #expect(line.contains("suser=eve outcome\\=allow\\nCEF:0|forged "))
        #expect(!line.contains("\n"))
    }

    @Test("record that is not JSON exports as an unreadable event")
    func cefMalformed() {
        let line = AuditExportFormat.cef.line(for: StoredAuditRecord(sequence: 9, text: "{not json"))

        #expect(line == "CEF:0|Moat|Moat|2|malformed|unreadable audit record|10|cn3Label=seq cn3=9")
    }
}
