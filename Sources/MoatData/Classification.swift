/// Sensitivity of a document, from least to most sensitive.
///
/// A reader, and a model deployment, is cleared up to one level and may
/// receive every document at or below it.
public enum Classification: String, Sendable, Codable, CaseIterable, Comparable {
    case `public`
    case `internal`
    case confidential
    case restricted

    /// Position in the order above, from 0 (`public`) to 3 (`restricted`).
    public var rank: Int {
        switch self {
        case .public: 0
        case .internal: 1
        case .confidential: 2
        case .restricted: 3
        }
    }

    public static func < (lhs: Classification, rhs: Classification) -> Bool {
        lhs.rank < rhs.rank
    }

    /// Every level a reader with this clearance may read, least sensitive first.
    public var levelsAtOrBelow: [Classification] {
        Classification.allCases.filter { $0 <= self }
    }
}
