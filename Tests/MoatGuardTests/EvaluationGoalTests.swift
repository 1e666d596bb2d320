import Foundation
import Testing
@testable import MoatGuard

/// Runs the evaluation on the development sets and checks the goals the
/// built-in rules reach, so a rule change that loses accuracy fails here.
/// The thresholds are goals, not the measured values.
@Suite("Evaluation goals on the development sets")
struct EvaluationGoalTests {
    static func rows(_ path: String) throws -> [GuardEvaluation.Row] {
        let dataset = try GuardDataset.load(contentsOf: TestData.url(path))
        return GuardEvaluation.evaluate(dataset, half: .all)
    }

    static func metrics(_ rows: [GuardEvaluation.Row], scanner: String) throws -> GuardMetrics {
        try #require(rows.first { $0.scanner == scanner && !$0.dataset.contains("planted") }).metrics
    }

    @Test("prompt injection F1 is at least 0.85 on deepset")
    func deepset() throws {
        let metrics = try Self.metrics(Self.rows("prompt-injection/deepset-prompt-injections.dev.jsonl"), scanner: "input injection")
        #expect(metrics.f1 >= 0.85)
        #expect(metrics.falsePositiveRate <= 0.05)
    }

    @Test("false positives stay at most 5% on NotInject")
    func notInject() throws {
        let metrics = try Self.metrics(Self.rows("prompt-injection/notinject-overdefense.dev.jsonl"), scanner: "input injection")
        #expect(metrics.negatives == 195)
        #expect(metrics.falsePositiveRate <= 0.05)
    }

    @Test("indirect injection F1 is at least 0.85 on BIPIA")
    func bipia() throws {
        let rows = try Self.rows("prompt-injection/bipia-email-indirect.dev.jsonl")
        let asGiven = try Self.metrics(rows, scanner: "retrieved-content injection")
        #expect(asGiven.f1 >= 0.85)
        #expect(asGiven.falsePositiveRate <= 0.05)
        let planted = try #require(rows.first { $0.dataset.contains("planted") }).metrics
        #expect(planted.f1 >= 0.85)
        #expect(planted.falsePositiveRate <= 0.05)
    }

    @Test("structured personal data recall is at least 0.95 at precision 0.90")
    func presidio() throws {
        let metrics = try Self.metrics(Self.rows("pii/presidio-synth-v2.dev.jsonl"), scanner: "structured personal data")
        #expect(metrics.recall >= 0.95)
        #expect(metrics.precision >= 0.90)
    }

    @Test("secrets recall is at least 0.90")
    func credsweeper() throws {
        let metrics = try Self.metrics(Self.rows("pii/credsweeper-secrets-lines.dev.jsonl"), scanner: "secrets (per line)")
        #expect(metrics.recall >= 0.90)
    }

    @Test("demo corpus passages raise no injection except the planted one")
    func demoCorpus() throws {
        let guardian = RetrievedContentGuard()
        let files = try FileManager.default.contentsOfDirectory(at: TestData.demoCorpus, includingPropertiesForKeys: nil)
        var flagged: [String] = []
        for file in files where ["txt", "md", "html"].contains(file.pathExtension) && file.lastPathComponent != "QUESTIONS.md" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for paragraph in text.components(separatedBy: "\n\n") where !paragraph.isEmpty {
                if guardian.scan(paragraph).verdicts.contains(where: { $0.ruleID.hasPrefix("injection.") }) {
                    flagged.append(file.lastPathComponent)
                }
            }
        }
        #expect(flagged == ["it-helpdesk.txt"])
    }
}
