/// The built-in toxic word list: slurs, threats and strong profanity in
/// English, German, French and Dutch.
///
/// Entries are stored as skeletons (repeated letters collapsed), the form
/// ``ObfuscatedWords`` produces. The list is deliberately short; a
/// deployment that needs more plugs in its own ``ToxicityClassifier``.
enum ToxicLexicon {
    struct Entry: Sendable {
        var score: Double
        var category: String
    }

    private static let slurs = [
        "nigger", "niggers", "nigga", "faggot", "faggots", "kike", "kikes", "spic", "spics", "chink", "chinks",
        "tranny", "trannies", "retard", "retards", "wetback", "raghead", "towelhead", "gook", "untermensch", "kanake", "neger", "schwuchtel", "bougnoule", "youpin", "mongool",
    ]
    private static let profanity = [
        "fuck", "fucks", "fucking", "fucked", "fucker", "fuckers", "motherfucker", "motherfuckers", "shit", "shits",
        "shitty", "bullshit", "bitch", "bitches", "asshole", "assholes", "bastard", "bastards", "cunt", "cunts",
        "dickhead", "twat", "wanker", "slut", "sluts", "whore", "whores", "douchebag", "scheisse", "scheiße", "scheiss", "arschloch", "fotze", "wichser", "hurensohn", "hure", "fick", "ficken",
        "merde", "putain", "connard", "salope", "enculé", "kut", "klootzak", "godverdomme",
    ]
    private static let insults = ["idiot", "idiots", "moron", "morons", "imbecile", "stupid", "loser", "dumbass", "jackass", "trottel", "depp"]

    private static let table: [String: Entry] = {
        var table: [String: Entry] = [:]
        func add(_ words: [String], _ entry: Entry) {
            for word in words { table[skeleton(word)] = entry }
        }
        add(insults, Entry(score: 0.45, category: "insult"))
        add(profanity, Entry(score: 0.7, category: "profanity"))
        add(slurs, Entry(score: 0.95, category: "slur"))
        return table
    }()

    private static let wildcardEntries: [(skeleton: [Unicode.Scalar], entry: Entry)] = table.map { (Array($0.key.unicodeScalars), $0.value) }

    /// Two-word phrases: threats and self-harm incitement.
    private static let phrases: [String: Entry] = [
        "kil|yourself": Entry(score: 0.95, category: "self-harm incitement"),
        "kil|urself": Entry(score: 0.95, category: "self-harm incitement"),
        "go|die": Entry(score: 0.8, category: "threat"),
        "kil|you": Entry(score: 0.9, category: "threat"),
        "hurt|you": Entry(score: 0.8, category: "threat"),
        "murder|you": Entry(score: 0.9, category: "threat"),
        "fuck|you": Entry(score: 0.9, category: "abuse"),
    ]

    static func skeleton(_ word: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in ScannedText(word).folded where result.last != scalar { result.append(scalar) }
        return String(result)
    }

    static func entry(for skeleton: String) -> Entry? {
        if let entry = table[skeleton] { return entry }
        if skeleton == "kys" { return Entry(score: 0.9, category: "self-harm incitement") }
        guard skeleton.contains("*") else { return nil }
        // A masked word such as "f*ck" matches an entry of the same length whose other letters agree.
        let scalars = Array(skeleton.unicodeScalars)
        guard scalars.contains(where: { $0 != "*" }) else { return nil }
        return wildcardEntries.first { candidate in
            candidate.skeleton.count == scalars.count
                && zip(candidate.skeleton, scalars).allSatisfy { $1 == "*" || $0 == $1 }
        }?.entry
    }

    static func phraseEntry(_ first: String, _ second: String) -> Entry? {
        phrases[first + "|" + second]
    }
}
