import Foundation
import MoatTestSupport
import MoatLauncher
import Testing

/// Real input through the whole stack: the Contoso PDFs, with the two
/// Northwind health-plan documents given to group "benefits" only.
@Suite("contoso corpus through the api", .serialized)
struct ContosoCorpusTests {
    static let restricted: Set<String> = ["Northwind_Health_Plus_Benefits_Details.pdf", "Northwind_Standard_Benefits_Details.pdf"]

    static var testData: URL { TestLocations.sharedTestData }

    static func writeManifest(corpus: URL) throws -> URL {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".pdf") }.sorted()
        var text = "ignore = [\"LICENSE.md\"]\n\n"
        for file in files {
            text += "[[documents]]\npath = \"\(file)\"\ntitle = \"\(file.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: ".pdf", with: ""))\"\n"
            text += restricted.contains(file) ? "groups = [\"benefits\"]\n" : "everyone = true\n"
            text += "classification = \"internal\"\n\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("contoso-manifest-\(UUID().uuidString).toml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("northwind pages reach only the benefits group")
    func northwindOnlyForBenefits() async throws {
        let corpus = Self.testData.appendingPathComponent("corpus/contoso")
        let questionsFile = Self.testData.appendingPathComponent("corpus/contoso-eval/questions.jsonl")
        let manifest = try Self.writeManifest(corpus: corpus)
        defer { try? FileManager.default.removeItem(at: manifest) }
        let test = try await TestStack.start(corpus: (corpus.path, manifest.path))
        defer { Task { await test.stop() } }
        #expect(test.stack.ingested.count == 6)

        let agent = UserAgent()
        let carol = try await agent.tokens(test.stack, user: "carol").accessToken
        let alice = try await agent.tokens(test.stack, user: "alice").accessToken
        let questions = try String(contentsOf: questionsFile, encoding: .utf8).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(questions.count >= 30)

        var carolHits = 0
        for question in questions {
            let text = question["question"] as? String ?? ""
            let sources = Set((question["sources"] as? [String] ?? []).map { $0.replacingOccurrences(of: "#page=", with: "#") })
            let body = try JSONSerialization.data(withJSONObject: ["question": text])

            let outsider = try await agent.send("POST", test.stack.apiURL + "/v1/chat", headers: [
                ("Authorization", "Bearer \(alice)"), ("Content-Type", "application/json"),
            ], body: body)
            #expect(outsider.status == 200)
            for citation in try outsider.json()["citations"] as? [[String: Any]] ?? [] {
                let path = citation["path"] as? String ?? ""
                #expect(!Self.restricted.contains(path), "alice saw \(path) for: \(text)")
            }

            let member = try await agent.send("POST", test.stack.apiURL + "/v1/chat", headers: [
                ("Authorization", "Bearer \(carol)"), ("Content-Type", "application/json"),
            ], body: body)
            #expect(member.status == 200)
            let cited = Set((try member.json()["citations"] as? [[String: Any]] ?? []).map { citation in
                "\(citation["path"] as? String ?? "")#\(citation["page"] as? Int ?? 0)"
            })
            if !cited.isDisjoint(with: sources) { carolHits += 1 }
        }
        let rate = Double(carolHits) / Double(questions.count)
        print("contoso through the api: benefits user cited a ground-truth page for \(carolHits)/\(questions.count) = \(String(format: "%.1f", rate * 100))% of questions")
        #expect(carolHits > 0)
    }
}
