import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import Testing

@Suite("AuditLog content policy")
struct AuditContentPolicyTests {
    /// Every byte SQLite has written for `path`: the main file and the write-ahead log.
    static func fileBytes(_ path: String) -> Data {
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) {
                bytes.append(data)
            }
        }
        return bytes
    }

    static func expectedHMAC(_ text: String) -> String {
        "hmac-sha256:" + hex(HMAC.sha256(key: testContentKey, message: Data(text.utf8)))
    }

    static func log(_ folder: TemporaryFolder, prompt: ContentPolicy, answer: ContentPolicy) throws -> (AuditLog, String) {
        let path = folder.path("audit.sqlite")
        var options = storedOptions()
        options.contentPolicies = ContentPolicies(prompt: prompt, answer: answer)
        return (try AuditLog(path: path, options: options), path)
    }

    @Test("default policy is redacted for prompt and answer")
    func defaultIsRedacted() {
        let policies = AuditLogOptions().contentPolicies

        #expect(policies.prompt == .redacted)
        #expect(policies.answer == .redacted)
    }

    @Test("stored policy keeps the texts and their lengths")
    func storedKeepsText() throws {
        let folder = try TemporaryFolder()
        let (log, _) = try Self.log(folder, prompt: .stored, answer: .stored)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"] == ["policy": "stored", "bytes": 17, "text": "question number 1"])
        #expect(record["answer"] == ["policy": "stored", "bytes": 15, "text": "answer number 1"])
    }

    @Test("redacted policy without redacted text keeps length and HMAC only")
    func redactedWithoutTextKeepsHMAC() throws {
        let folder = try TemporaryFolder()
        let (log, path) = try Self.log(folder, prompt: .redacted, answer: .redacted)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"] == ["policy": "redacted", "bytes": 17, "hmac": .string(Self.expectedHMAC("question number 1"))])
        #expect(record["answer"] == ["policy": "redacted", "bytes": 15, "hmac": .string(Self.expectedHMAC("answer number 1"))])
        let bytes = Self.fileBytes(path)
        #expect(bytes.range(of: Data("question number 1".utf8)) == nil)
        #expect(bytes.range(of: Data("answer number 1".utf8)) == nil)
    }

    @Test("redacted policy stores the redacted text when given")
    func redactedStoresRedactedText() throws {
        let folder = try TemporaryFolder()
        let (log, path) = try Self.log(folder, prompt: .redacted, answer: .redacted)
        var entry = sampleEntry(1)
        entry.prompt = "my card is 4111 1111 1111 1111"
        entry.redactedPrompt = "my card is [CREDIT_CARD]"
        try log.append(entry)

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"]?["text"]?.stringValue == "my card is [CREDIT_CARD]")
        #expect(record["prompt"]?["bytes"]?.int64Value == 30)
        #expect(record["prompt"]?["hmac"] == nil)
        #expect(Self.fileBytes(path).range(of: Data("4111 1111".utf8)) == nil)
    }

    @Test("keyed hash policy maps equal texts to equal values")
    func keyedHashIsDeterministic() throws {
        let folder = try TemporaryFolder()
        let (log, path) = try Self.log(folder, prompt: .keyedHash, answer: .keyedHash)
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2))

        let prompts = try log.records(limit: 3).compactMap { $0["prompt"]?["hmac"]?.stringValue }

        #expect(prompts.count == 3)
        #expect(prompts[1] == prompts[2])
        #expect(prompts[0] != prompts[1])
        #expect(prompts[2] == Self.expectedHMAC("question number 1"))
        #expect(Self.fileBytes(path).range(of: Data("question number 1".utf8)) == nil)
    }

    @Test("omitted policy keeps only the policy name")
    func omittedStoresNothing() throws {
        let folder = try TemporaryFolder()
        let (log, path) = try Self.log(folder, prompt: .omitted, answer: .omitted)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"] == ["policy": "omitted"])
        #expect(record["answer"] == ["policy": "omitted"])
        let bytes = Self.fileBytes(path)
        #expect(bytes.range(of: Data("question number 1".utf8)) == nil)
        #expect(bytes.range(of: Data("answer number 1".utf8)) == nil)
    }

    @Test("policies apply per field")
    func policiesPerField() throws {
        let folder = try TemporaryFolder()
        let (log, _) = try Self.log(folder, prompt: .stored, answer: .omitted)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"]?["policy"]?.stringValue == "stored")
        #expect(record["answer"]?["policy"]?.stringValue == "omitted")
    }

    @Test("request without texts has no prompt or answer field")
    func noTextNoField() throws {
        let folder = try TemporaryFolder()
        let (log, _) = try Self.log(folder, prompt: .stored, answer: .stored)
        var entry = sampleEntry(1)
        entry.prompt = nil
        entry.answer = nil
        try log.append(entry)

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"] == nil)
        #expect(record["answer"] == nil)
    }

    @Test("policies that hash reject a key shorter than 32 bytes", arguments: [0, 16, 31])
    func shortKeyRejected(length: Int) throws {
        let folder = try TemporaryFolder()

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: folder.path("audit.sqlite"), options: AuditLogOptions(contentKey: Data(count: length)))
        }

        #expect(error?.code == "invalid_configuration")
    }

    @Test("stored and omitted policies need no key")
    func storedNeedsNoKey() throws {
        let folder = try TemporaryFolder()
        let options = AuditLogOptions(contentPolicies: ContentPolicies(prompt: .stored, answer: .omitted))

        let log = try AuditLog(path: folder.path("audit.sqlite"), options: options)

        #expect(try log.append(sampleEntry(1)) == 1)
    }
}
