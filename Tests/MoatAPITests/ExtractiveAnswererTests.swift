import Foundation
@testable import MoatAPI
import MoatData
import Testing

@Suite("ExtractiveAnswerer")
struct ExtractiveAnswererTests {
    let answerer = ExtractiveAnswerer()

    @Test("no passages gives the not-found answer")
    func noPassages() async throws {
        let answer = try await answerer.answer(question: "What is the travel allowance?", passages: [])

        #expect(answer.text.contains("could not find"))
        #expect(answer.citedPassages.isEmpty)
        #expect(answer.model == "extractive")
    }

    @Test("question of stop words only gives the not-found answer")
    func stopWordQuestion() async throws {
        let passages = [passage("The daily travel allowance is 45 euros for every employee.")]

        let answer = try await answerer.answer(question: "What is it and how?", passages: passages)

        #expect(answer.text.contains("could not find"))
        #expect(answer.citedPassages.isEmpty)
    }

    @Test("passages sharing no term give the not-found answer")
    func noSharedTerms() async throws {
        let passages = [passage("The cafeteria opens at eight in the morning on weekdays.")]

        let answer = try await answerer.answer(question: "What is the travel allowance?", passages: passages)

        #expect(answer.text.contains("could not find"))
        #expect(answer.citedPassages.isEmpty)
    }

    @Test("sentence sharing question terms is chosen and cited")
    func choosesMatchingSentence() async throws {
        let passages = [
            passage("The cafeteria opens at eight in the morning on weekdays.", title: "Cafeteria", documentID: "doc-1"),
            passage(
                "Employees book trains through the portal. The daily travel allowance is 45 euros per day abroad.",
                documentID: "doc-2"
            ),
        ]

        let answer = try await answerer.answer(question: "How much is the daily travel allowance?", passages: passages)

        #expect(answer.text.contains("The daily travel allowance is 45 euros per day abroad. [2]"))
        #expect(!answer.text.contains("cafeteria"))
        #expect(answer.citedPassages == [2])
    }

    @Test("sentences from several passages are cited in passage order")
    func citesSeveralPassages() async throws {
        let passages = [
            passage("Remote work needs approval from the team lead before the first remote day.", documentID: "doc-1"),
            passage("The cafeteria opens at eight in the morning on weekdays.", documentID: "doc-2"),
            passage("Remote work equipment such as a monitor is paid by the company.", documentID: "doc-3"),
        ]

        let answer = try await answerer.answer(question: "What are the rules for remote work?", passages: passages)

        #expect(answer.citedPassages == [1, 3])
        let first = try #require(answer.text.range(of: "[1]"))
        let third = try #require(answer.text.range(of: "[3]"))
        #expect(first.lowerBound < third.lowerBound)
        #expect(!answer.text.contains("[2]"))
    }

    @Test("answer has at most maxSentences sentences")
    func respectsMaxSentences() async throws {
        let text = (1...6).map { "Rule \($0) of the expense policy covers receipts for travel." }.joined(separator: " ")
        let answerer = ExtractiveAnswerer(maxSentences: 2)

        let answer = try await answerer.answer(question: "expense policy receipts", passages: [passage(text)])

        #expect(answer.text.components(separatedBy: "[1]").count - 1 == 2)
    }

    @Test("sentence with fewer than three terms is skipped")
    func skipsShortSentences() async throws {
        let passages = [passage("Allowance rules. The travel allowance for trips abroad is 45 euros per day.")]

        let answer = try await answerer.answer(question: "What is the allowance rule for travel?", passages: passages)

        #expect(!answer.text.contains("Allowance rules. [1]"))
        #expect(answer.text.contains("45 euros"))
    }

    @Test("better coverage of the question wins")
    func coverageWins() async throws {
        let passages = [
            passage("The parking garage is open to visitors with a badge.", documentID: "doc-1"),
            passage("Visitors must register at reception and wear a visitor badge at all times.", documentID: "doc-2"),
        ]
        let answerer = ExtractiveAnswerer(maxSentences: 1)

        let answer = try await answerer.answer(question: "Where do visitors register for a badge?", passages: passages)

        #expect(answer.citedPassages == [2])
    }

    @Test("earlier passage wins a tie")
    func earlierPassageWinsTie() async throws {
        let sentence = "The travel allowance applies to every business trip abroad."
        let passages = [passage(sentence, documentID: "doc-1"), passage(sentence, documentID: "doc-2")]
        let answerer = ExtractiveAnswerer(maxSentences: 1)

        let answer = try await answerer.answer(question: "travel allowance abroad", passages: passages)

        #expect(answer.citedPassages == [1])
    }

    @Test("list lead-in keeps its bullet values")
    func listLeadInKeepsBullets() async throws {
        let text = """
            Travel allowance

            The daily travel allowance is:
            - 45 euros within the country
            - 60 euros abroad
            * 20 euros for a half day
            • 10 euros for a stopover

            Receipts are not needed for the allowance.
            """

        let answer = try await answerer.answer(question: "What is the daily travel allowance?", passages: [passage(text)])

        #expect(answer.text.contains(
            "The daily travel allowance is: - 45 euros within the country - 60 euros abroad * 20 euros for a half day • 10 euros for a stopover [1]"
        ))
    }

    @Test("numbered lead-in keeps its items")
    func numberedLeadInKeepsItems() async throws {
        let text = "To book a trip abroad, follow these steps:\n1. Open the travel portal\n2. Choose the train\n3. Submit the booking"

        let answer = try await answerer.answer(question: "How do I book a trip abroad?", passages: [passage(text)])

        #expect(answer.text.contains(
            "To book a trip abroad, follow these steps: 1. Open the travel portal 2. Choose the train 3. Submit the booking [1]"
        ))
    }

    /// The lead-in takes up to four short lines, so a short sentence after a
    /// shorter list is joined too. The splitter drops the blank line between them.
    @Test("lead-in joins at most four following lines")
    func leadInJoinsFourLines() {
        let joined = ExtractiveAnswerer.leadInsJoined(["Options:", "one", "two", "three", "four", "five"])

        #expect(joined == ["Options: one two three four", "five"])
    }

    @Test("lead-in stops at a long line or another lead-in")
    func leadInStops() {
        let long = String(repeating: "word ", count: 30)

        #expect(ExtractiveAnswerer.leadInsJoined(["First:", "one", long]) == ["First: one", long])
        #expect(ExtractiveAnswerer.leadInsJoined(["First:", "one", "Second:", "two"]) == ["First: one", "Second: two"])
    }

    @Test("numbered list items are separate sentences")
    func numberedListItems() {
        let sentences = ExtractiveAnswerer.sentences("Steps to book a trip\n1. Open the portal\n2. Choose the train\n10. Submit the request")

        #expect(sentences == ["Steps to book a trip", "1. Open the portal", "2. Choose the train", "10. Submit the request"])
    }

    @Test("decimal point does not end a sentence")
    func decimalPointKept() {
        let sentences = ExtractiveAnswerer.sentences("The rate is 0.30 euros per km. Fuel is extra!")

        #expect(sentences == ["The rate is 0.30 euros per km.", "Fuel is extra!"])
    }

    @Test("blank line ends a sentence")
    func blankLineEndsSentence() {
        let sentences = ExtractiveAnswerer.sentences("Heading without stop\n\nBody text follows here")

        #expect(sentences == ["Heading without stop", "Body text follows here"])
    }
}
