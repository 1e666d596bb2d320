/// Confusion counts and latencies of one scanner on one dataset.
public struct GuardMetrics: Sendable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var trueNegatives = 0
    /// Scan times in microseconds, one per scanned text.
    public var latencies: [Double] = []
    /// False for span metrics, where true negatives are not defined.
    public var definesNegatives = true
    /// Ids of records with a false positive or false negative, for error analysis.
    public var errors: [String] = []

    public init() {}

    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double {
        let sum = precision + recall
        return sum == 0 ? 0 : 2 * precision * recall / sum
    }
    /// False positives over all negatives; NaN when there are no negatives.
    public var falsePositiveRate: Double { definesNegatives ? ratio(falsePositives, falsePositives + trueNegatives) : .nan }
    public var positives: Int { truePositives + falseNegatives }
    public var negatives: Int { definesNegatives ? falsePositives + trueNegatives : 0 }

    public var medianLatency: Double { percentile(0.5) }
    public var p95Latency: Double { percentile(0.95) }

    private func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? .nan : Double(numerator) / Double(denominator)
    }

    mutating func count(predicted: Bool, actual: Bool, id: String) {
        if predicted != actual { errors.append((predicted ? "FP " : "FN ") + id) }
        count(predicted: predicted, actual: actual)
    }

    mutating func count(predicted: Bool, actual: Bool) {
        switch (predicted, actual) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, true): falseNegatives += 1
        case (false, false): trueNegatives += 1
        }
    }

    mutating func merge(_ other: GuardMetrics) {
        truePositives += other.truePositives
        falsePositives += other.falsePositives
        falseNegatives += other.falseNegatives
        trueNegatives += other.trueNegatives
        latencies += other.latencies
        errors += other.errors
    }
}
