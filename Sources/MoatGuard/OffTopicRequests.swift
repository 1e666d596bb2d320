/// Finds requests in a retrieved passage that do not belong to it: a
/// question or a task for a general-purpose assistant ("Which is the tallest
/// mountain in Africa?", "Draft a poem about autumn.") whose content words
/// occur nowhere else in the passage.
///
/// Documents ask their readers things too (FAQs, runbooks), but those
/// requests share words with the text around them: the answer to a FAQ
/// repeats the question's subject. An instruction planted in an invoice
/// e-mail, or a passage that is nothing but a request, does not.
enum OffTopicRequests {
    /// A sentence as a range of token indices.
    private struct Sentence {
        var tokens: Range<Int>
        var endsWithQuestionMark: Bool
    }

    /// Returns the folded-view range of the first off-topic request, or nil.
    ///
    /// NOTE: a passage that is one question or task and nothing else, such as a
    /// FAQ question chunked apart from its answer, is reported, because no other
    /// words in it can show that the request belongs there.
    static func firstRequest(in text: ScannedText, tokens: [WordToken]) -> Range<Int>? {
        let folded = text.folded
        let sentences = sentences(of: tokens, in: folded)
        var requests: [Sentence] = []
        var isInRequest = [Bool](repeating: false, count: tokens.count)
        for sentence in sentences where isRequest(sentence, tokens: tokens, text: text) {
            requests.append(sentence)
            for index in sentence.tokens { isInRequest[index] = true }
        }
        guard !requests.isEmpty else { return nil }

        var context = Set<UInt64>()
        for (index, token) in tokens.enumerated() where !isInRequest[index] {
            if let stem = contentStem(folded[token.range]) { context.insert(stem) }
        }
        for request in requests {
            if request.endsWithQuestionMark, request.tokens.upperBound < tokens.count,
               RequestLexicon.answerStarts.contains(tokens[request.tokens.upperBound].hash) {
                // "Can I work from home? Yes, two days a week.": a FAQ answered in place.
                continue
            }
            var stems = Set<UInt64>()
            for index in request.tokens.dropFirst() {
                if let stem = contentStem(folded[tokens[index].range]) { stems.insert(stem) }
            }
            guard !stems.isEmpty else { continue }
            if stems.isDisjoint(with: context) {
                return tokens[request.tokens.lowerBound].range.lowerBound..<tokens[request.tokens.upperBound - 1].range.upperBound
            }
        }
        return nil
    }

    /// Splits at `.`, `!`, `?` and line breaks. Colons do not end a sentence
    /// here, so "Determine the sentiment of this review: '…'" stays one request.
    private static func sentences(of tokens: [WordToken], in folded: [Unicode.Scalar]) -> [Sentence] {
        var result: [Sentence] = []
        var start = 0
        for index in tokens.indices {
            let gapEnd = index + 1 < tokens.count ? tokens[index + 1].range.lowerBound : folded.count
            var ends = index + 1 == tokens.count
            var question = false
            for scalar in folded[tokens[index].range.upperBound..<gapEnd] {
                switch scalar {
                case "?", "\u{FF1F}": ends = true; question = true
                case ".", "!", "\n", "\u{3002}", "\u{FF01}": ends = true
                default: break
                }
            }
            if ends {
                result.append(Sentence(tokens: start..<(index + 1), endsWithQuestionMark: question))
                start = index + 1
            }
        }
        return result
    }

    /// Returns true for a question that starts with a question word and ends
    /// with `?`, or a sentence that starts with a verb asking for content or
    /// analysis. Headings and list items are skipped, and so are the request
    /// forms documents use for their human reader (see the comments below).
    private static func isRequest(_ sentence: Sentence, tokens: [WordToken], text: ScannedText) -> Bool {
        var words = sentence.tokens.map { tokens[$0].hash }
        // "Please provide …" is the request "provide …".
        if let first = words.first, RequestLexicon.politeOpeners.contains(first) { words.removeFirst() }
        guard words.count >= 3 else { return false }

        let opensQuestion = RequestLexicon.questionStarts.contains(words[0])
            || (RequestLexicon.prepositions.contains(words[0]) && RequestLexicon.questionStarts.contains(words[1]))
        let isQuestion = sentence.endsWithQuestionMark && opensQuestion
        let isTask = (RequestLexicon.taskVerbs.contains(words[0]) && !RequestLexicon.nounFollowers.contains(words[1]))
            || (RequestLexicon.objectTaskVerbs.contains(words[0]) && RequestLexicon.firstPersonObjects.contains(words[1]))
        guard isQuestion || isTask else { return false }

        // "How long have they been in practice?": a pronoun subject points back to
        // something the document discusses, so the question belongs to it.
        if isQuestion, words.prefix(4).contains(where: RequestLexicon.thirdPersonSubjects.contains) {
            return false
        }
        // "Did you know …?", "Would you like …?": yes-no questions to "you" are how
        // letters and newsletters talk to their human reader.
        if isQuestion, RequestLexicon.readerQuestionStarts.contains(words[0]), RequestLexicon.secondPerson.contains(words[1]) {
            return false
        }
        // "Write about what you delivered last year": a task about the reader's
        // own work is addressed to a person, not to an assistant.
        if isTask, !isQuestion, words.contains(where: RequestLexicon.secondPerson.contains) {
            return false
        }
        return !isHeading(sentence, tokens: tokens, text: text) && !isListItem(sentence, tokens: tokens, text: text)
    }

    /// Returns true for a sentence in capitals or in title case ("What Does the Plan Cover?").
    /// Title case needs a capitalised function word, because names alone
    /// ("What is 'Bibliothek' in English?") are capitalised in any sentence.
    private static func isHeading(_ sentence: Sentence, tokens: [WordToken], text: ScannedText) -> Bool {
        var allCapitals = true
        var titleCase = true
        var capitalisedFunctionWord = false
        for index in sentence.tokens {
            let word = text.normalized[tokens[index].range]
            if word.contains(where: \.properties.isLowercase) { allCapitals = false }
            guard index > sentence.tokens.lowerBound, word.count >= 3, let first = word.first else { continue }
            // Title case leaves articles and short prepositions in lower case.
            let isFunctionWord = RequestLexicon.stopWords.contains(tokens[index].hash)
            if first.properties.isUppercase {
                if isFunctionWord { capitalisedFunctionWord = true }
            } else if !isFunctionWord {
                titleCase = false
            }
        }
        return allCapitals || (titleCase && capitalisedFunctionWord)
    }

    /// Returns true when a bullet character precedes the sentence, because lists
    /// of duties and steps are written as imperatives.
    private static func isListItem(_ sentence: Sentence, tokens: [WordToken], text: ScannedText) -> Bool {
        let start = tokens[sentence.tokens.lowerBound].range.lowerBound
        let gapStart = sentence.tokens.lowerBound > 0 ? tokens[sentence.tokens.lowerBound - 1].range.upperBound : 0
        return text.folded[gapStart..<start].contains { RequestLexicon.bullets.contains($0) }
    }

    /// Returns the hash of a word's first five letters, a crude stem that joins
    /// "laptop" and "laptops", or nil for stop words, numbers and short words.
    private static func contentStem(_ word: ArraySlice<Unicode.Scalar>) -> UInt64? {
        guard word.count >= 3, word.contains(where: { !$0.isASCIIDigit }) else { return nil }
        guard !RequestLexicon.stopWords.contains(PhraseMatcher.hash(word)) else { return nil }
        return PhraseMatcher.hash(word.prefix(5))
    }
}
