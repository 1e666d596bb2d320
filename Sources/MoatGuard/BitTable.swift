/// A fixed-size table of flags stored one bit each, for lookups in hot
/// loops. A 65,536-entry table takes 8 KB instead of the 64 KB of `[Bool]`,
/// which leaves the level-1 cache to the text being scanned.
struct BitTable: Sendable {
    private var words: [UInt64]

    /// Creates a table of `count` flags, all false.
    init(count: Int) {
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    /// Creates a table with one flag per element of `flags`.
    init(_ flags: [Bool]) {
        self.init(count: flags.count)
        for (index, flag) in flags.enumerated() where flag { insert(index) }
    }

    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    @inline(__always) func contains(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }
}
