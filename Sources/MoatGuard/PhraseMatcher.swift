/// Matches rules written as sequences of word classes against word tokens.
///
/// A rule is a string of steps separated by spaces, for example
/// `OVERRIDE ~3 PRIOR ~2 INSTRUCTION`:
/// - an upper-case step names a word class given to ``init(classes:rules:)``;
/// - a lower-case step is a literal word, and a trailing `*` makes it a
///   prefix (`instruct*`);
/// - `a|b` accepts either alternative;
/// - `~N` allows up to N other words before the next step (default 0);
/// - a leading `^` on a step requires it to start a sentence.
///
/// Words are compared after folding (lowercase, NFKC, homoglyphs), and
/// lookups go through 64-bit FNV-1a hashes, so matching costs one hash per
/// word plus the rules whose first step that word can start.
struct PhraseMatcher: Sendable {
    struct Rule: Sendable {
        var name: String
        var ruleID: String
        var weight: Double
        var source: String
    }

    struct Match: Sendable {
        var rule: Int
        /// Folded-view range from the first to the last matched word.
        var range: Range<Int>
    }

    private struct Step: Sendable {
        var classes: ClassSet
        var gapBefore: Int
        var sentenceStart: Bool
    }

    let rules: [Rule]
    private var steps: [[Step]] = []
    private var exactWords: [UInt64: ClassSet] = [:]
    private var prefixWords: [Int: [UInt64: ClassSet]] = [:]
    /// Keys of ``prefixWords`` in ascending order.
    private var sortedPrefixLengths: [Int] = []
    /// Whether some prefix word starts with a given pair of scalars below
    /// U+0100, which rules out most words before any hashing.
    private var prefixStarts = BitTable(count: 1 << 16)
    /// Prefix words whose first two scalars are not both below U+0100.
    private var hasWidePrefixes = false
    /// Per rule group, the rule indices under each class id that their first step accepts.
    private var rulesByFirstClass: [[[Int]]] = []
    /// Per rule group, every class that some rule's first step accepts, so
    /// that words which start no rule skip the candidate search.
    private var firstStepClasses: [ClassSet] = []
    /// Hashes of ``exactWords`` and ``prefixWords`` keys, so that most words
    /// of a text skip the dictionary lookups.
    private var exactHashes = HashFilter()
    private var prefixHashes = HashFilter()

    /// Compiles `rules` over the word lists in `classes`.
    ///
    /// - Parameter groups: how many of `rules`, in order, belong to each
    ///   group, so that ``matches(_:classes:group:)`` can match one group at
    ///   a time on one classification. Nil puts every rule in group 0.
    init(classes: [String: [String]], rules: [Rule], groups: [Int]? = nil) {
        self.rules = rules
        let groupSizes = groups ?? [rules.count]
        precondition(groupSizes.reduce(0, +) == rules.count, "rule groups must cover every rule once")
        var groupOfRule: [Int] = []
        for (group, size) in groupSizes.enumerated() {
            groupOfRule += Array(repeating: group, count: size)
        }
        rulesByFirstClass = Array(repeating: Array(repeating: [], count: ClassSet.capacity), count: groupSizes.count)
        firstStepClasses = Array(repeating: ClassSet(), count: groupSizes.count)
        var classIDs: [String: Int] = [:]
        func classID(_ name: String) -> Int {
            if let id = classIDs[name] { return id }
            let id = classIDs.count
            precondition(id < ClassSet.capacity, "too many word classes; raise ClassSet.capacity")
            classIDs[name] = id
            return id
        }
        func register(word: String, in id: Int) {
            var text = word
            let isPrefix = text.hasSuffix("*")
            if isPrefix { text.removeLast() }
            let folded = ScannedText(text).folded
            let hash = Self.hash(folded[...])
            if isPrefix {
                prefixWords[folded.count, default: [:]][hash, default: ClassSet()].insert(id)
                prefixHashes.insert(hash)
                if folded.count >= 2, folded[0].value < 0x100, folded[1].value < 0x100 {
                    prefixStarts.insert(Int(folded[0].value) << 8 | Int(folded[1].value))
                } else {
                    hasWidePrefixes = true
                }
            } else {
                exactWords[hash, default: ClassSet()].insert(id)
                exactHashes.insert(hash)
            }
        }
        for (name, words) in classes.sorted(by: { $0.key < $1.key }) {
            let id = classID(name)
            for word in words { register(word: word, in: id) }
        }
        for (ruleIndex, rule) in rules.enumerated() {
            var parsed: [Step] = []
            var gap = 0
            for part in rule.source.split(separator: " ") {
                if part.hasPrefix("~") {
                    gap = Int(part.dropFirst()) ?? 0
                    continue
                }
                var text = Substring(part)
                let sentenceStart = text.hasPrefix("^")
                if sentenceStart { text = text.dropFirst() }
                var set = ClassSet()
                for alternative in text.split(separator: "|") {
                    let name = String(alternative)
                    if name.first?.isUppercase == true {
                        precondition(classIDs[name] != nil, "rule \(rule.name) names unknown class \(name)")
                        set.insert(classIDs[name]!)
                    } else {
                        let id = classID("literal:" + name)
                        register(word: name, in: id)
                        set.insert(id)
                    }
                }
                parsed.append(Step(classes: set, gapBefore: gap, sentenceStart: sentenceStart))
                gap = 0
            }
            precondition(!parsed.isEmpty, "rule \(rule.name) is empty")
            steps.append(parsed)
            let group = groupOfRule[ruleIndex]
            for id in parsed[0].classes.members {
                rulesByFirstClass[group][id].append(ruleIndex)
            }
            firstStepClasses[group].formUnion(parsed[0].classes)
        }
        sortedPrefixLengths = prefixWords.keys.sorted()
    }

    /// Returns the classes of each token, in token order.
    func classify(_ tokens: [WordToken], in folded: [Unicode.Scalar]) -> [ClassSet] {
        let prefixLengths = sortedPrefixLengths
        return tokens.map { token in
            var set = ClassSet()
            var checksPrefixes = hasWidePrefixes
            if token.range.count >= 2 {
                let first = folded[token.range.lowerBound].value, second = folded[token.range.lowerBound + 1].value
                if first < 0x100, second < 0x100, prefixStarts.contains(Int(first) << 8 | Int(second)) { checksPrefixes = true }
                if first >= 0x100 || second >= 0x100 { checksPrefixes = checksPrefixes || hasWidePrefixes }
            }
            // The tokenizer hashed the whole word, so only words that may start with a prefix word are walked again.
            if checksPrefixes {
                var hash: UInt64 = Self.offsetBasis
                var length = 0
                var nextPrefix = 0
                for index in token.range {
                    hash = (hash ^ UInt64(folded[index].value)) &* Self.prime
                    length += 1
                    while nextPrefix < prefixLengths.count, prefixLengths[nextPrefix] < length { nextPrefix += 1 }
                    if nextPrefix < prefixLengths.count, prefixLengths[nextPrefix] == length, prefixHashes.mayContain(hash),
                       let found = prefixWords[length]?[hash] {
                        set.formUnion(found)
                    }
                }
            }
            if exactHashes.mayContain(token.hash), let found = exactWords[token.hash] { set.formUnion(found) }
            return set
        }
    }

    /// Returns every match of the rules in `group`, at most one per rule and
    /// start word, ordered by start word and then by rule index.
    func matches(_ tokens: [WordToken], classes: [ClassSet], group: Int = 0) -> [Match] {
        var result: [Match] = []
        var candidates: [Int] = []
        let groupFirstStepClasses = firstStepClasses[group]
        let groupRulesByFirstClass = rulesByFirstClass[group]
        for (start, set) in classes.enumerated() where set.intersects(groupFirstStepClasses) {
            candidates.removeAll(keepingCapacity: true)
            for id in set.members {
                candidates += groupRulesByFirstClass[id]
            }
            if candidates.count > 1 {
                // Ascending and without duplicates, because a rule whose first step has alternatives is listed under each.
                candidates.sort()
                var unique = 1
                for position in 1..<candidates.count where candidates[position] != candidates[unique - 1] {
                    candidates[unique] = candidates[position]
                    unique += 1
                }
                candidates.removeLast(candidates.count - unique)
            }
            for ruleIndex in candidates {
                if let end = match(ruleIndex, from: start, tokens: tokens, classes: classes) {
                    result.append(Match(rule: ruleIndex, range: tokens[start].range.lowerBound..<tokens[end].range.upperBound))
                }
            }
        }
        return result
    }

    private func match(_ ruleIndex: Int, from start: Int, tokens: [WordToken], classes: [ClassSet]) -> Int? {
        let ruleSteps = steps[ruleIndex]
        guard ruleSteps[0].classes.intersects(classes[start]),
              !ruleSteps[0].sentenceStart || tokens[start].startsSentence else { return nil }
        return extend(ruleSteps, step: 1, after: start, tokens: tokens, classes: classes)
    }

    /// Depth-first search so that a later word can satisfy a step when the
    /// nearest candidate leads nowhere.
    private func extend(_ ruleSteps: [Step], step: Int, after position: Int, tokens: [WordToken], classes: [ClassSet]) -> Int? {
        guard step < ruleSteps.count else { return position }
        let current = ruleSteps[step]
        let last = min(position + 1 + current.gapBefore, tokens.count - 1)
        guard position + 1 <= last else { return nil }
        for candidate in (position + 1)...last where current.classes.intersects(classes[candidate]) {
            if current.sentenceStart, !tokens[candidate].startsSentence { continue }
            if let end = extend(ruleSteps, step: step + 1, after: candidate, tokens: tokens, classes: classes) {
                return end
            }
        }
        return nil
    }

    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash(_ scalars: ArraySlice<Unicode.Scalar>) -> UInt64 {
        var hash = offsetBasis
        for scalar in scalars {
            hash = (hash ^ UInt64(scalar.value)) &* prime
        }
        return hash
    }
}

/// A 65,536-bit filter on the low bits of word hashes: `mayContain` is
/// false only for hashes never inserted, so a false answer skips a lookup.
struct HashFilter: Sendable {
    private var words = [UInt64](repeating: 0, count: 1024)

    mutating func insert(_ hash: UInt64) {
        let bit = Int(truncatingIfNeeded: hash & 0xFFFF)
        words[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    func mayContain(_ hash: UInt64) -> Bool {
        let bit = Int(truncatingIfNeeded: hash & 0xFFFF)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }
}

/// A set of up to 320 word-class ids, stored inline so that classifying a
/// word allocates nothing.
struct ClassSet: Sendable, Equatable {
    static let capacity = 320
    private var bits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)

    var isEmpty: Bool { bits.0 | bits.1 | bits.2 | bits.3 | bits.4 == 0 }

    mutating func insert(_ id: Int) {
        let mask = UInt64(1) << UInt64(id % 64)
        switch id / 64 {
        case 0: bits.0 |= mask
        case 1: bits.1 |= mask
        case 2: bits.2 |= mask
        case 3: bits.3 |= mask
        default: bits.4 |= mask
        }
    }

    mutating func formUnion(_ other: ClassSet) {
        bits = (
            bits.0 | other.bits.0, bits.1 | other.bits.1, bits.2 | other.bits.2, bits.3 | other.bits.3,
            bits.4 | other.bits.4
        )
    }

    func intersects(_ other: ClassSet) -> Bool {
        (bits.0 & other.bits.0) | (bits.1 & other.bits.1) | (bits.2 & other.bits.2) | (bits.3 & other.bits.3)
            | (bits.4 & other.bits.4) != 0
    }

    /// The ids in the set, in ascending order.
    var members: [Int] {
        var result: [Int] = []
        Self.appendBits(of: bits.0, offset: 0, to: &result)
        Self.appendBits(of: bits.1, offset: 64, to: &result)
        Self.appendBits(of: bits.2, offset: 128, to: &result)
        Self.appendBits(of: bits.3, offset: 192, to: &result)
        Self.appendBits(of: bits.4, offset: 256, to: &result)
        return result
    }

    private static func appendBits(of word: UInt64, offset: Int, to result: inout [Int]) {
        var remaining = word
        while remaining != 0 {
            result.append(offset + remaining.trailingZeroBitCount)
            remaining &= remaining - 1
        }
    }

    static func == (lhs: ClassSet, rhs: ClassSet) -> Bool {
        lhs.bits == rhs.bits
    }
}
