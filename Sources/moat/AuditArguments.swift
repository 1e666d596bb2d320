import Foundation
import MoatAudit
import MoatConfig
import MoatCore
import MoatLauncher

/// Argument handling of `moat audit <verify|search|export|export-key|prune>`.
enum AuditArguments {
    static let options: Set<String> = [
        "config", "data", "file", "from", "to", "key", "anchor", "user", "action", "decision", "since", "until",
        "limit", "format", "output", "older-than", "writers", "records",
    ]

    /// Runs the subcommand and returns the exit status: 0 on success, 1 when verify finds a problem.
    static func run(_ options: ParsedOptions, configuration: MoatConfiguration, logger: Logger) throws -> Int32 {
        let file = options.values["file"]
        switch options.positional.first {
        case "verify":
            let from = try sequence(options, "from")
            let to = try sequence(options, "to")
            if let from, let to, from > to {
                throw ParsedOptions.Invalid(description: "--from \(from) is after --to \(to); give the lower sequence number first")
            }
            let verification = try AuditCommands.verify(
                configuration, file: file, keyFile: options.values["key"], anchorFile: options.values["anchor"], from: from, to: to
            )
            for note in verification.notes {
                FileHandle.standardError.write(Data("note: \(note)\n".utf8))
            }
            if let first = verification.firstProblem {
                print("audit log BROKEN: \(first)")
                for problem in verification.problems where problem != first {
                    print("  also: \(problem)")
                }
                print("(\(counted(verification.recordCount, "record")) and \(counted(verification.checkpointCount, "checkpoint")) read)")
                return 1
            }
            print(
                "audit log intact: \(counted(verification.recordCount, "record")) checked, \(counted(verification.checkpointCount, "checkpoint")), "
                    + "\(counted(verification.uncoveredRecordCount, "record")) after the newest checkpoint, head hash \(verification.headHash)"
            )
            return 0

        case "search":
            let limit = try integer(options, "limit", range: 1...500) ?? 50
            let count = try AuditCommands.search(configuration, file: file, query: try query(options), limit: limit) { print($0) }
            FileHandle.standardError.write(Data("\(counted(count, "record"))\n".utf8))
            return 0

        case "export":
            guard let formatName = options.values["format"], let format = AuditExportFormat(rawValue: formatName) else {
                throw ParsedOptions.Invalid(description: "audit export needs --format jsonl or --format cef")
            }
            let output = try outputHandle(options)
            let count = try AuditCommands.export(configuration, file: file, query: try query(options), format: format, output: output)
            FileHandle.standardError.write(Data("\(counted(count, "record")) exported\n".utf8))
            return 0

        case "export-key":
            let pem = try AuditCommands.exportKey(configuration)
            try outputHandle(options).write(contentsOf: Data(pem.utf8))
            return 0

        case "prune":
            guard let days = try integer(options, "older-than", range: 1...36_500) else {
                throw ParsedOptions.Invalid(description: "audit prune needs --older-than DAYS")
            }
            if let outcome = try AuditCommands.prune(configuration, olderThanDays: days, logger: logger) {
                print("deleted \(counted(outcome.deletedCount, "record")) up to \(outcome.deletedThrough); truncation checkpoint \(outcome.checkpoint.checkpoint.number) signed")
            } else {
                print("no record is older than \(days) days")
            }
            return 0

        case "bench":
            // Not in the usage text: bench/audit/run.sh calls it on a temporary folder.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moat-audit-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let result = try AuditBenchmark.run(
                folder: folder, writers: try integer(options, "writers", range: 1...1024) ?? 64,
                records: try integer(options, "records", range: 1...10_000_000) ?? 50_000
            )
            print(result)
            return 0

        default:
            throw ParsedOptions.Invalid(description: "unknown audit command; use verify, search, export, export-key or prune")
        }
    }

    static func query(_ options: ParsedOptions) throws -> AuditQuery {
        var query = AuditQuery(user: options.values["user"], action: options.values["action"])
        if let text = options.values["decision"] {
            guard let decision = AuditEntry.Decision(rawValue: text) else {
                throw ParsedOptions.Invalid(description: "--decision \(text) is not one of allow, deny, error")
            }
            query.decision = decision
        }
        query.since = try time(options, "since")
        query.until = try time(options, "until")
        return query
    }

    static func time(_ options: ParsedOptions, _ name: String) throws -> Date? {
        guard let text = options.values[name] else { return nil }
        guard let date = AuditQuery.parseTime(text) else {
            throw ParsedOptions.Invalid(description: "--\(name) \(text) is not an ISO 8601 time such as 2026-03-01 or 2026-03-01T08:00:00Z")
        }
        return date
    }

    static func sequence(_ options: ParsedOptions, _ name: String) throws -> Int64? {
        try integer(options, name, range: 1...Int.max).map(Int64.init)
    }

    static func integer(_ options: ParsedOptions, _ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = options.values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ParsedOptions.Invalid(description: "--\(name) \(text) is not an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Standard output, or the `--output` file created with mode 0600 (audit records are personal data).
    static func outputHandle(_ options: ParsedOptions) throws -> FileHandle {
        guard let path = options.values["output"] else { return FileHandle.standardOutput }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ParsedOptions.Invalid(description: "cannot write --output \(path): \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}

/// Returns `count` with `noun`, in the plural unless `count` is 1: "1 record", "2 records".
func counted(_ count: some BinaryInteger, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
}
