import Foundation
import MoatCore
import MoatTestSupport
import Testing

/// The `moat` executable: errors on stderr with a non-zero exit, results on stdout.
@Suite("moat command line")
struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static var binary: URL { TestLocations.packageRoot.appendingPathComponent(".build/debug/moat") }

    static func run(_ arguments: [String]) throws -> Run {
        let process = try ChildProcess(executable: binary.path, arguments: arguments)
        let (outputData, errorData) = process.readOutputs()
        let status: Int32
        switch process.wait() {
        case .exited(let code): status = code
        case .signalled(let number): status = 128 + number
        }
        return Run(status: status, output: String(decoding: outputData, as: UTF8.self), error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("docs"), withIntermediateDirectories: true)
        return folder
    }

    @Test("unknown command exits 2 with usage")
    func unknownCommand() throws {
        let run = try Self.run(["launch"])
        #expect(run.status == 2)
        #expect(run.error.contains("unknown command \"launch\""))
        #expect(run.error.contains("usage: moat"))
    }

    @Test("unknown option shows that command's forms")
    func unknownOptionShowsCommandUsage() throws {
        let run = try Self.run(["gateway", "--upstrem", "http://127.0.0.1:9"])
        #expect(run.status == 2)
        #expect(run.error.contains("unknown option --upstrem"))
        #expect(run.error.contains("gateway [--config FILE] [--data DIR] [--upstream URL]"))
        #expect(!run.error.contains("audit verify"))
    }

    @Test("help after a command shows that command's forms only")
    func commandHelp() throws {
        let gateway = try Self.run(["gateway", "--help"])
        #expect(gateway.status == 0)
        #expect(gateway.output.contains("gateway [--config FILE] [--data DIR] [--upstream URL]"))
        #expect(!gateway.output.contains("audit verify"))

        let audit = try Self.run(["audit", "-h"])
        #expect(audit.status == 0)
        #expect(audit.output.contains("audit verify"))
        #expect(audit.output.contains("audit prune"))
        #expect(!audit.output.contains("ingest PATH"))

        let all = try Self.run(["help"])
        #expect(all.status == 0)
        #expect(all.output.contains("gateway [--config FILE]"))
        #expect(all.output.contains("guard bench"))
    }

    @Test("bad manifest value is named and nothing is stored")
    func badManifestIsNamed() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "# Leave\n\nStaff get 25 days of leave.\n".write(to: folder.appendingPathComponent("docs/leave.md"), atomically: true, encoding: .utf8)
        let manifest = folder.appendingPathComponent("manifest.toml")
        try "[[documents]]\npath = \"leave.md\"\ntitle = \"Leave\"\neveryone = true\nclassification = \"secret\"\n"
            .write(to: manifest, atomically: true, encoding: .utf8)
        let data = folder.appendingPathComponent("data").path

        let rejected = try Self.run(["ingest", folder.appendingPathComponent("docs").path, "--manifest", manifest.path, "--data", data])
        #expect(rejected.status == 1)
        #expect(rejected.error.contains("classification = \"secret\""))

        try "[[documents]]\npath = \"leave.md\"\ntitle = \"Leave\"\neveryone = true\nclassification = \"internal\"\n"
            .write(to: manifest, atomically: true, encoding: .utf8)
        let accepted = try Self.run(["ingest", folder.appendingPathComponent("docs").path, "--manifest", manifest.path, "--data", data])
        #expect(accepted.status == 0)
        #expect(accepted.output.contains("1 documents ingested"))
    }

    @Test("rotate-key on a mistyped data folder creates nothing")
    func rotateKeyMissingFolder() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mistyped = folder.appendingPathComponent("dat")

        let run = try Self.run(["idp", "rotate-key", "--data", mistyped.path])

        #expect(run.status == 1)
        #expect(run.error.contains("has no signing key"), "stderr: \(run.error)")
        #expect(run.error.contains("--data"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: mistyped.path))
    }

    @Test("audit verify on a missing log exits 1")
    func auditVerifyMissingLog() throws {
        let run = try Self.run(["audit", "verify", "--file", "/nonexistent/audit.sqlite"])
        #expect(run.status == 1)
        #expect(run.error.contains("audit_log_missing"))
    }

    @Test("audit verify on a non-SQLite file exits 1")
    func auditVerifyGarbage() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("audit.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: file)
        let run = try Self.run(["audit", "verify", "--file", file.path])
        #expect(run.status == 1)
        #expect(run.error.contains("cannot be read"))
    }
}
