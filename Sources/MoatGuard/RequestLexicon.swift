/// Word lists for ``OffTopicRequests``, in English and German, stored as
/// FNV-1a hashes of the folded words.
enum RequestLexicon {
    /// Words that open a direct question.
    static let questionStarts = hashes([
        "what", "what's", "who", "whom", "whose", "which", "where", "when", "why", "how", "is", "are", "was", "were",
        "do", "does", "did", "can", "could", "would", "will", "should", "shall", "has", "have", "may", "might",
        "wer", "wie", "warum", "wo", "wann", "welche", "welcher", "welches", "kannst", "können", "ist", "sind",
    ])

    /// Question words that, followed by "you", ask the human reader something
    /// ("Did you know", "Would you like"). "Can you" and "could you" are left
    /// out because they are how requests to an assistant are phrased.
    static let readerQuestionStarts = hashes([
        "do", "did", "does", "are", "were", "have", "has", "would", "will", "should", "want", "hast", "hattest", "willst",
    ])

    /// Imperatives that ask for writing, analysis or a lookup, the work a
    /// general-purpose assistant does rather than steps of a procedure.
    static let taskVerbs = hashes([
        "write", "draft", "compose", "develop", "provide", "describe", "analyze", "analyse", "determine", "explain",
        "list", "create", "generate", "summarize", "summarise", "translate", "suggest", "outline", "compare",
        "calculate", "classify", "identify", "recommend", "evaluate", "discuss", "predict", "convert", "design",
        "propose", "brainstorm", "compile", "rewrite", "paraphrase", "elaborate", "illustrate", "recommend",
        "schreibe", "schreib", "erkläre", "beschreibe", "übersetze", "fasse", "erstelle", "nenne",
    ])

    /// Verbs that ask for a task when "me" or "us" follows ("Tell me a joke").
    static let objectTaskVerbs = hashes(["tell", "give", "show", "teach", "send", "sag", "gib", "zeig", "zeige"])
    static let firstPersonObjects = hashes(["me", "us", "mir", "uns"])

    /// Prepositions that can open a question before its question word ("In which year …?").
    static let prepositions = hashes(["in", "on", "at", "for", "from", "to", "by", "with", "of", "since", "an", "seit"])

    /// Words before a request that do not change it.
    static let politeOpeners = hashes(["please", "kindly", "now", "bitte", "also"])

    /// Words after a task verb that show it is a noun ("List of attendees").
    static let nounFollowers = hashes(["of", "for", "is", "was", "and", "price", "prices", "view", "item", "items"])

    /// Second-person words, which tie a task to the reader's own situation.
    static let secondPerson = hashes(["you", "your", "yours", "yourself", "du", "dein", "deine"])

    /// Pronouns that, as a question's subject, refer to something named before.
    static let thirdPersonSubjects = hashes(["they", "he", "she", "it", "sie", "er", "es"])

    /// Characters that mark list items, before an item's first word.
    static let bullets: Set<Unicode.Scalar> = ["•", "◦", "▪", "‣", "–", "-", "*", "·", "●", "○", "■", "□", "➢", "✓"]

    /// Words that start the answer to the question before them.
    static let answerStarts = hashes(["yes", "no", "ja", "nein", "only", "usually", "always", "never"])

    /// Function words and words too general to show a topic.
    static let stopWords = hashes([
        "the", "and", "for", "are", "but", "not", "you", "your", "yours", "all", "any", "can", "had", "her", "was",
        "one", "our", "out", "has", "have", "him", "his", "how", "its", "may", "new", "now", "old", "see", "two",
        "way", "who", "did", "get", "got", "let", "say", "she", "too", "use", "that", "this", "with", "from",
        "they", "them", "their", "there", "these", "those", "what", "when", "where", "which", "while", "whom",
        "will", "would", "should", "could", "about", "into", "over", "than", "then", "some", "such", "only",
        "also", "very", "just", "more", "most", "much", "many", "each", "other", "been", "being", "were", "does",
        "doing", "done", "make", "made", "like", "well", "here", "why", "because", "after", "before", "between",
        "under", "above", "below", "through", "during", "without", "within", "upon", "onto", "off", "own", "same",
        "both", "few", "further", "once", "again", "ever", "every", "something", "anything", "everything",
        "someone", "anyone", "thing", "things", "please", "thank", "thanks", "need", "want", "know", "find",
        "help", "information", "details", "question", "questions", "give", "take", "tell", "show", "good", "best",
        "past", "next", "last", "first", "way", "ways", "using", "used", "able", "provide", "include", "including",
        "der", "die", "das", "und", "ein", "eine", "einen", "ist", "sind", "mit", "für", "auf", "nicht", "wie",
        "was", "wer", "ich", "du", "sie", "wir", "ihr", "mir", "mich", "dich", "sich", "auch", "noch", "nur",
    ])

    private static func hashes(_ words: [String]) -> Set<UInt64> {
        Set(words.map { PhraseMatcher.hash(ScannedText($0).folded[...]) })
    }
}
