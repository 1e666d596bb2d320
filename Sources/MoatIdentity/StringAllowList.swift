/// A set of allowed strings, such as tenant ids, compared by `String` equality.
///
/// Up to ``linearSearchLimit`` entries it is searched linearly, because
/// comparing a few ASCII ids costs less than hashing the candidate once.
/// Larger lists use a `Set`, so a lookup stays constant-time.
struct StringAllowList: Sendable {
    static let linearSearchLimit = 8

    private let entries: [String]
    private let hashed: Set<String>?

    init(_ values: [String]) {
        if values.count <= Self.linearSearchLimit {
            entries = values
            hashed = nil
        } else {
            entries = []
            hashed = Set(values)
        }
    }

    func contains(_ value: String) -> Bool {
        if let hashed { return hashed.contains(value) }
        return entries.contains(value)
    }
}
