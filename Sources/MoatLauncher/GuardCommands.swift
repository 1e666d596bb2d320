import Foundation
import MoatConfig
import MoatGuard
import MoatJSON

/// `moat guard scan`, `moat guard eval` and `moat guard bench`.
public enum GuardCommands {
    /// A guard command failure with its human-readable reason.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Scans the file at `path` (or standard input for `-`) with the input
    /// guard and returns one JSON object per verdict, one per line, then a
    /// summary line `{"blocked": …, "verdicts": N, "text": "<text after redaction>"}`.
    public static func scan(path: String, configuration: MoatConfiguration) throws -> (output: String, blocked: Bool) {
        let policy = try APIFactory.guardrailSettings(configuration).input
        let output = try scan(path: path, policy: policy)
        return (output, output.contains("\"blocked\":true"))
    }

    public static func scan(path: String, policy: GuardPolicy = .default) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "cannot read \(path); pass a readable file or - for standard input")
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\(path) is not UTF-8 text")
        }
        let result = InputGuard(policy: policy).scan(text)
        var lines: [String] = []
        for verdict in result.verdicts {
            var object: JSONObject = [
                "rule_id": .string(verdict.ruleID),
                "action": .string(verdict.action.rawValue),
                "score": .double(verdict.score),
                "reason": .string(verdict.reason),
            ]
            if let span = verdict.span {
                object["span"] = [.integer(Int64(span.lowerBound)), .integer(Int64(span.upperBound))]
            }
            lines.append(String(decoding: JSONValue.object(object).serialized(), as: UTF8.self))
        }
        let summary: JSONValue = [
            "blocked": .bool(result.isBlocked), "verdicts": .integer(Int64(result.verdicts.count)), "text": .string(result.text),
        ]
        lines.append(String(decoding: summary.serialized(), as: UTF8.self))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Evaluates every dataset on its tuning half, its checking half and
    /// whole, and returns a Markdown table.
    public static func eval(paths: [String]) throws -> String {
        guard !paths.isEmpty else { throw Failure(description: "guard eval needs at least one dataset: moat guard eval FILE.jsonl...") }
        var rows: [GuardEvaluation.Row] = []
        for path in paths {
            let dataset: GuardDataset
            do {
                dataset = try GuardDataset.load(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw Failure(description: "\(error)")
            }
            for half in GuardEvaluation.Half.allCases {
                rows += GuardEvaluation.evaluate(dataset, half: half)
            }
        }
        var output = table(rows)
        // MOAT_GUARD_EVAL_ERRORS=tune (or all) lists the ids of misclassified records for error analysis.
        if let errors = ProcessInfo.processInfo.environment["MOAT_GUARD_EVAL_ERRORS"], let half = GuardEvaluation.Half(rawValue: errors) {
            for row in rows where row.half == half && !row.metrics.errors.isEmpty {
                output += "\n\(row.dataset) / \(row.scanner):\n" + row.metrics.errors.joined(separator: "\n") + "\n"
            }
        }
        return output
    }

    /// Times the whole input pipeline on the prompts of a JSON Lines file
    /// (`{"text": …}` per line): one warm-up pass, then `rounds` timed
    /// passes on one thread. Returns one JSON object with the median and
    /// 95th percentile in microseconds per prompt and scans per second.
    public static func bench(path: String, rounds: Int = 5) throws -> String {
        let dataset: GuardDataset
        do {
            dataset = try GuardDataset.load(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: "\(error)")
        }
        let prompts = dataset.records.map(\.text)
        guard !prompts.isEmpty else { throw Failure(description: "\(path) holds no prompts") }
        let guardian = InputGuard()
        var blocked = 0
        for prompt in prompts where guardian.scan(prompt).isBlocked { blocked += 1 }
        var samples: [Double] = []
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<rounds {
            for prompt in prompts {
                let start = clock.now
                _ = guardian.scan(prompt)
                let elapsed = clock.now - start
                samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            }
        }
        let total = clock.now - started
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        samples.sort()
        let bytes = prompts.map { $0.utf8.count }.reduce(0, +) / prompts.count
        let summary: JSONValue = [
            "tool": "moat InputGuard",
            "prompts": .integer(Int64(prompts.count)),
            "mean_prompt_bytes": .integer(Int64(bytes)),
            "median_us": .double((samples[samples.count / 2] * 10).rounded() / 10),
            "p95_us": .double((samples[Int(Double(samples.count - 1) * 0.95)] * 10).rounded() / 10),
            "scans_per_second": .double((Double(samples.count) / seconds).rounded()),
            "blocked_prompts": .integer(Int64(blocked)),
        ]
        return String(decoding: summary.serialized(), as: UTF8.self) + "\n"
    }

    static func table(_ rows: [GuardEvaluation.Row]) -> String {
        var lines = [
            "| dataset | scanner | half | positives | negatives | TP | FP | FN | precision | recall | F1 | FPR | median µs | p95 µs |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let m = row.metrics
            let cells = [
                row.dataset, row.scanner, row.half.rawValue, String(m.positives), m.definesNegatives ? String(m.negatives) : "–",
                String(m.truePositives), String(m.falsePositives), String(m.falseNegatives),
                format(m.precision), format(m.recall), format(m.f1), format(m.falsePositiveRate),
                format(m.medianLatency, digits: 1), format(m.p95Latency, digits: 1),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double, digits: Int = 3) -> String {
        value.isNaN ? "–" : String(format: "%.\(digits)f", value)
    }
}
