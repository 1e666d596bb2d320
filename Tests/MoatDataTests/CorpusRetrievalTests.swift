import Foundation
import MoatData
import Testing

/// Retrieval over the public Contoso PDF corpus, with the health-plan
/// documents restricted to one group.
@Suite("Contoso corpus retrieval", .serialized)
struct CorpusRetrievalTests {
    struct Question: Decodable {
        var question: String
        var sources: [String]
    }

    static let restrictedFiles: Set<String> = ["Northwind_Health_Plus_Benefits_Details.pdf", "Northwind_Standard_Benefits_Details.pdf"]
    static let benefitsReader = ReaderScope(userID: "tenant:alice", groups: ["benefits"], clearance: .confidential)
    static let otherReader = ReaderScope(userID: "tenant:bob", groups: ["engineering", "sales"], clearance: .confidential)

    static var corpus: URL { TestData.root.appendingPathComponent("corpus/contoso") }

    static func loadQuestions() throws -> [Question] {
        let text = try String(contentsOf: TestData.root.appendingPathComponent("corpus/contoso-eval/questions.jsonl"), encoding: .utf8)
        return try text.split(whereSeparator: \.isNewline).map { try JSONDecoder().decode(Question.self, from: Data($0.utf8)) }
    }

    static func ingestedStore(in folder: TemporaryFolder) throws -> DocumentStore {
        let store = try DocumentStore(path: folder.path("corpus.sqlite"))
        var entries: [String: DocumentPolicy] = [:]
        for file in restrictedFiles {
            entries[file] = .groups(["benefits"], .internal)
        }
        _ = try store.ingest(directory: corpus, manifest: Manifest(entries: entries, defaultPolicy: .everyone(.internal)))
        return store
    }

    @Test("benefits reader finds a cited page in the top 5 for at least 60% of questions")
    func topFiveHitRate() throws {
        let folder = try TemporaryFolder()
        let store = try Self.ingestedStore(in: folder)
        let questions = try Self.loadQuestions()
        try #require(!questions.isEmpty)

        var hits = 0
        for question in questions {
            let cited = Set(question.sources)
            let passages = try store.search(question.question, scope: Self.benefitsReader, limit: 5)
            let found = passages.contains { passage in
                cited.contains("\(passage.path)#page=\(passage.page ?? 0)")
            }
            if found { hits += 1 }
        }
        let rate = Double(hits) / Double(questions.count)
        print("top-5 page hit rate: \(hits)/\(questions.count) = \(String(format: "%.1f", rate * 100))%")
        #expect(rate >= 0.6)
    }

    @Test("reader outside benefits never gets a Northwind page")
    func restrictedDocumentsStayHidden() throws {
        let folder = try TemporaryFolder()
        let store = try Self.ingestedStore(in: folder)
        for question in try Self.loadQuestions() {
            let passages = try store.search(question.question, scope: Self.otherReader, limit: 20)
            let leaked = passages.filter { Self.restrictedFiles.contains($0.path) }
            #expect(leaked.isEmpty, "question: \(question.question)")
        }
    }

    @Test("every PDF page becomes a chunk with its page number")
    func pagesAreChunks() throws {
        let folder = try TemporaryFolder()
        let store = try Self.ingestedStore(in: folder)
        let id = DocumentStore.documentID(forRelativePath: "Northwind_Standard_Benefits_Details.pdf")
        let summary = try #require(try store.document(id: id, scope: Self.benefitsReader))
        #expect(summary.pageCount == 104)
        #expect(summary.chunkCount >= 100)
        #expect(try store.document(id: id, scope: Self.otherReader) == nil)
    }
}
