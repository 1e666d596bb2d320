import Foundation
import MoatAudit
import MoatCrypto
import MoatSQLite
import Testing

/// `moat audit` subcommands run as the binary, on a data folder written by ``AuditLog``.
@Suite("moat audit command line")
struct AuditCommandLineTests {
    /// A data folder with twelve records (time 1_700_000_001 onwards, in 2023), its signing key and anchor.
    static func dataFolder() throws -> URL {
        let folder = try CommandLineTests.temporaryFolder()
        let key = try AuditSigningKey.loadOrCreate(at: folder.appendingPathComponent("audit-signing-key.pem").path)
        let options = AuditLogOptions(
            contentPolicies: ContentPolicies(prompt: .stored, answer: .omitted), checkpointEveryRecords: 5,
            anchorPath: folder.appendingPathComponent("audit-anchors.jsonl").path
        )
        let log = try AuditLog(path: folder.appendingPathComponent("audit.sqlite").path, options: options, signingKey: key)
        for number in 1...12 {
            try log.append(AuditEntry(
                requestID: "request-\(number)", time: Date(timeIntervalSince1970: 1_700_000_000 + Double(number)),
                action: number % 4 == 0 ? "audit.read" : "chat", decision: number % 3 == 0 ? .deny : .allow,
                reason: number % 3 == 0 ? "missing_role" : "ok", httpStatus: number % 3 == 0 ? 403 : 200,
                tenantID: "t", objectID: number % 2 == 0 ? "oid-alice" : "oid-bob",
                userName: number % 2 == 0 ? "alice@example.test" : "bob@example.test", prompt: "question=\(number)"
            ))
        }
        log.close()
        return folder
    }

    @Test("verify passes on an intact folder and names the checkpoint count")
    func verifyIntact() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let run = try CommandLineTests.run(["audit", "verify", "--data", folder.path])

        #expect(run.status == 0)
        #expect(run.output.hasPrefix("audit log intact: 12 records checked, "))
        #expect(run.error.contains("note: checked against the signing key in"))
    }

    @Test("verify names an edited record and exits 1")
    func verifyEdited() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(path: folder.appendingPathComponent("audit.sqlite").path)
        try database.execute("DROP TRIGGER audit_log_no_update")
        try database.run("UPDATE audit_log SET record = replace(record, 'question=7', 'question=8') WHERE seq = 7")

        let run = try CommandLineTests.run(["audit", "verify", "--data", folder.path])

        #expect(run.status == 1)
        #expect(run.output.hasPrefix("audit log BROKEN: record 7: content_changed:"))
    }

    @Test("verify with another exported key names every checkpoint")
    func verifyForeignKey() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("other.pem")
        try PrivateKey.generateEd25519().publicKey.pemEncoded().write(to: keyFile, atomically: true, encoding: .utf8)

        let run = try CommandLineTests.run(["audit", "verify", "--data", folder.path, "--key", keyFile.path])

        #expect(run.status == 1)
        #expect(run.output.contains("checkpoint_unknown_key"))
    }

    @Test("export-key writes the key that verify accepts")
    func exportKeyRoundTrip() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("exported.pem")

        let export = try CommandLineTests.run(["audit", "export-key", "--data", folder.path, "--output", keyFile.path])
        let verify = try CommandLineTests.run(["audit", "verify", "--data", folder.path, "--key", keyFile.path])

        #expect(export.status == 0)
        #expect(try String(contentsOf: keyFile, encoding: .utf8).hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(verify.status == 0)
        #expect(!verify.error.contains("checked against the signing key in"))
    }

    @Test("verify with an invalid anchor or key file exits 1 with the reason", arguments: ["anchor", "key"])
    func verifyBadFiles(option: String) throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.txt")
        try "this is not a checkpoint or a key\n".write(to: bad, atomically: true, encoding: .utf8)

        let run = try CommandLineTests.run(["audit", "verify", "--data", folder.path, "--\(option)", bad.path])

        #expect(run.status == 1)
        #expect(run.error.contains(option == "anchor" ? "anchor_invalid" : "public_key_invalid"))
        #expect(run.error.contains(bad.path))
    }

    @Test("verify names a tail cut that only the anchor reveals")
    func verifyTailCutByAnchor() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(path: folder.appendingPathComponent("audit.sqlite").path)
        try database.execute("DROP TRIGGER audit_log_delete_truncated_only; DROP TRIGGER audit_checkpoints_no_delete")
        try database.run("DELETE FROM audit_log WHERE seq > 10")
        try database.run("DELETE FROM audit_checkpoints WHERE to_seq > 10")

        let run = try CommandLineTests.run(["audit", "verify", "--data", folder.path])

        #expect(run.status == 1)
        #expect(run.output.contains("tail_cut"))
    }

    @Test("search filters by user and decision")
    func search() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let run = try CommandLineTests.run(["audit", "search", "--data", folder.path, "--user", "alice", "--decision", "deny"])

        let sequences = run.output.split(separator: "\n").map { $0.split(separator: "\t")[0] }
        #expect(run.status == 0)
        #expect(sequences == ["12", "6"])
        #expect(run.error == "2 records\n")

        let single = try CommandLineTests.run(["audit", "search", "--data", folder.path, "--user", "alice", "--decision", "deny", "--limit", "1"])
        #expect(single.error == "1 record\n")
    }

    @Test("search rejects a bad decision and a bad time", arguments: [["--decision", "maybe"], ["--since", "yesterday"]])
    func searchRejectsBadFilter(arguments: [String]) throws {
        let run = try CommandLineTests.run(["audit", "search", "--data", "/nonexistent"] + arguments)

        #expect(run.status == 2)
        #expect(run.error.contains("--\(arguments[0].dropFirst(2)) \(arguments[1])"))
    }

    @Test("export streams JSON Lines and CEF for the time range")
    func export() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let jsonl = try CommandLineTests.run(["audit", "export", "--data", folder.path, "--format", "jsonl", "--since", "2023-11-14T22:13:25Z", "--until", "2023-11-14T22:13:27Z"])
        let cef = try CommandLineTests.run(["audit", "export", "--data", folder.path, "--format", "cef", "--action", "audit.read"])

        #expect(jsonl.status == 0)
        #expect(jsonl.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { $0["seq"] as? Int } == [5, 6, 7])
        #expect(cef.status == 0)
        #expect(cef.output.split(separator: "\n").count == 3)
        #expect(cef.output.split(separator: "\n").allSatisfy { $0.hasPrefix("CEF:0|Moat|Moat|2|audit.read|") })
        #expect(cef.error == "3 records exported\n")
    }

    @Test("export without a format exits 2")
    func exportNeedsFormat() throws {
        let run = try CommandLineTests.run(["audit", "export", "--data", "/nonexistent"])

        #expect(run.status == 2)
        #expect(run.error.contains("--format jsonl or --format cef"))
    }

    @Test("prune deletes old records and verify still passes")
    func prune() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let pruned = try CommandLineTests.run(["audit", "prune", "--data", folder.path, "--older-than", "1"])
        let verify = try CommandLineTests.run(["audit", "verify", "--data", folder.path])

        #expect(pruned.status == 0)
        #expect(pruned.output.hasPrefix("deleted 12 records up to 12; truncation checkpoint"))
        #expect(verify.status == 0)
        #expect(verify.output.hasPrefix("audit log intact: 0 records checked"))
    }
}
