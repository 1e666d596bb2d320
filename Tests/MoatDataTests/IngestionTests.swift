import Foundation
import MoatData
import Testing

@Suite("Document ingestion")
struct IngestionTests {
    static let reader = ReaderScope(userID: "tenant:reader", groups: [], clearance: .restricted)

    @Test("Markdown is chunked by heading with the section title kept")
    func markdownSections() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("""
            # Travel Policy

            Intro paragraph about journeys.

            ## Hotels

            Book hotels through the portal.

            ```
            # not a heading inside code
            ```

            Setext Heading
            --------------

            Trains are preferred over planes.
            """, to: "corpus/travel.md")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let result = try store.ingest(file: file, relativePath: "travel.md", policy: .everyone())
        #expect(result.outcome == .added)
        #expect(result.chunkCount == 3)

        let hotel = try #require(try store.search("hotels portal", scope: Self.reader).first)
        #expect(hotel.section == "Hotels")
        #expect(hotel.title == "Travel Policy")
        #expect(hotel.text.contains("not a heading inside code"))
        let trains = try #require(try store.search("trains", scope: Self.reader).first)
        #expect(trains.section == "Setext Heading")
    }

    @Test("plain text is packed into paragraphs of at most 1500 characters")
    func textParagraphs() throws {
        let folder = try TemporaryFolder()
        let paragraph = String(repeating: "Widgets need regular calibration. ", count: 20)
        let file = try folder.write(Array(repeating: paragraph, count: 6).joined(separator: "\n\n"), to: "notes.txt")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let result = try store.ingest(file: file, relativePath: "notes.txt", policy: .everyone())
        #expect(result.chunkCount == 3)

        let passages = try store.search("calibration", scope: Self.reader)
        #expect(passages.count == 3)
        #expect(passages.allSatisfy { $0.text.count <= 1500 })
        #expect(passages.first?.title == "notes")
    }

    @Test("HTML drops scripts, styles and comments and decodes entities")
    func htmlExtraction() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("""
            <html><head><title>Ignored title</title><style>p { color: red }</style>
            <script>var secretToken = "zebra";</script></head>
            <body><!-- internal comment giraffe -->
            <h1>Caf&eacute; &amp; Kitchen</h1>
            <p>Opening hours are 8&nbsp;to&#32;5 &lt;weekdays&gt; &#x263A;</p>
            </body></html>
            """, to: "cafe.html")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        _ = try store.ingest(file: file, relativePath: "cafe.html", policy: .everyone())

        let passage = try #require(try store.search("opening hours", scope: Self.reader).first)
        #expect(passage.title == "Café & Kitchen")
        #expect(passage.text.contains("<weekdays>"))
        #expect(passage.text.contains("☺"))
        #expect(try store.search("zebra", scope: Self.reader).isEmpty)
        #expect(try store.search("giraffe", scope: Self.reader).isEmpty)
        #expect(try store.search("color red", scope: Self.reader).isEmpty)
    }

    @Test("PDF pages become chunks with 1-based page numbers")
    func pdfPages() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(MinimalPDF.make(pages: ["Alpha page about kittens", "Beta page about volcanoes"]), to: "two.pdf")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let result = try store.ingest(file: file, relativePath: "two.pdf", policy: .everyone())
        #expect(result.chunkCount == 2)

        let passage = try #require(try store.search("volcanoes", scope: Self.reader).first)
        #expect(passage.page == 2)
        let summary = try #require(try store.document(id: result.documentID, scope: Self.reader))
        #expect(summary.pageCount == 2)
    }

    @Test("missing pdftotext gives extraction_failed naming the file")
    func missingPDFTool() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(MinimalPDF.make(pages: ["Some text"]), to: "one.pdf")
        let store = try DocumentStore(path: folder.path("store.sqlite"), pdftotextPath: folder.path("no-such-pdftotext"))
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(file: file, relativePath: "one.pdf", policy: .everyone())
        }
        #expect(error.code == .extractionFailed)
        #expect(error.reason.contains("one.pdf"))
        #expect(error.reason.contains("poppler-utils"))
    }

    @Test("unchanged file is detected and changed file replaces its chunks")
    func reingestion() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("First version mentions apples.", to: "fruit.txt")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let first = try store.ingest(file: file, relativePath: "fruit.txt", policy: .everyone())
        let second = try store.ingest(file: file, relativePath: "fruit.txt", policy: .everyone())
        #expect(first.outcome == .added)
        #expect(second.outcome == .unchanged)
        #expect(second.documentID == first.documentID)

        try folder.write("Second version mentions pears.\n\nAnd a second paragraph.", to: "fruit.txt")
        let third = try store.ingest(file: file, relativePath: "fruit.txt", policy: .everyone())
        #expect(third.outcome == .replaced)
        #expect(try store.search("apples", scope: Self.reader).isEmpty)
        #expect(try store.search("pears", scope: Self.reader).count == 1)
        #expect(try store.documentCount() == 1)
        #expect(try store.chunkCount() == 1)
    }

    @Test("narrowed access list on an unchanged file is applied")
    func policyChangeReplaces() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("Quarterly numbers for the board.", to: "board.txt")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        _ = try store.ingest(file: file, relativePath: "board.txt", policy: .everyone())
        let result = try store.ingest(file: file, relativePath: "board.txt", policy: .groups(["board"]))
        #expect(result.outcome == .replaced)
        #expect(try store.search("quarterly numbers", scope: Self.reader).isEmpty)
    }

    @Test("corrupt PDF fails the whole folder and leaves the store unchanged")
    func badFileIsAtomic() throws {
        let folder = try TemporaryFolder()
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        try folder.write("Existing document about lighthouses.", to: "corpus/a.txt")
        _ = try store.ingest(directory: folder.url.appendingPathComponent("corpus"), manifest: Manifest(entries: [:], defaultPolicy: .everyone()))
        let documentsBefore = try store.documentCount()
        let chunksBefore = try store.chunkCount()

        try folder.write("Changed document about harbours.", to: "corpus/a.txt")
        try folder.write("New document about ferries.", to: "corpus/b.txt")
        try folder.write(Data("%PDF-1.4\nthis is not really a pdf".utf8), to: "corpus/c.pdf")
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(directory: folder.url.appendingPathComponent("corpus"), manifest: Manifest(entries: [:], defaultPolicy: .everyone()))
        }
        #expect(error.code == .extractionFailed)
        #expect(error.reason.contains("c.pdf"))
        #expect(try store.documentCount() == documentsBefore)
        #expect(try store.chunkCount() == chunksBefore)
        #expect(try store.search("lighthouses", scope: Self.reader).count == 1)
        #expect(try store.search("ferries", scope: Self.reader).isEmpty)
    }

    @Test("missing manifest entry names the file and leaves the store unchanged")
    func missingManifestEntry() throws {
        let folder = try TemporaryFolder()
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        try folder.write("Listed document.", to: "corpus/listed.txt")
        try folder.write("Unlisted document.", to: "corpus/sub/unlisted.txt")
        let manifest = Manifest(entries: ["listed.txt": .everyone()])
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(directory: folder.url.appendingPathComponent("corpus"), manifest: manifest)
        }
        #expect(error.code == .manifestEntryMissing)
        #expect(error.reason.contains("sub/unlisted.txt"))
        #expect(try store.documentCount() == 0)
        #expect(try store.chunkCount() == 0)
    }

    @Test("access list that grants nobody is rejected")
    func emptyAccessListIsRejected() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("Orphan.", to: "orphan.txt")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(file: file, relativePath: "orphan.txt", policy: DocumentPolicy(accessList: AccessList(), classification: .public))
        }
        #expect(error.code == .invalidAccessList)
        #expect(try store.documentCount() == 0)
    }

    @Test("unsupported file type is rejected unless ignored")
    func unsupportedFileType() throws {
        let folder = try TemporaryFolder()
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        try folder.write("Readable.", to: "corpus/readme.txt")
        try folder.write("{}", to: "corpus/manifest.json")
        let corpus = folder.url.appendingPathComponent("corpus")
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(directory: corpus, manifest: Manifest(entries: [:], defaultPolicy: .everyone()))
        }
        #expect(error.code == .unsupportedFileType)
        #expect(error.reason.contains("manifest.json"))

        let manifest = Manifest(entries: [:], defaultPolicy: .everyone(), ignoredPaths: ["manifest.json"])
        let results = try store.ingest(directory: corpus, manifest: manifest)
        #expect(results.map(\.path) == ["readme.txt"])
    }

    @Test("file without text is an empty document")
    func emptyDocument() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("   \n\n  ", to: "blank.md")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(file: file, relativePath: "blank.md", policy: .everyone())
        }
        #expect(error.code == .emptyDocument)
    }

    @Test("relative path leaving the corpus is rejected", arguments: ["", "/etc/passwd", "../x.txt", "a//b.txt", "a/./b.txt"])
    func invalidRelativePath(path: String) throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("Text.", to: "x.txt")
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let error = try #require(throws: DataError.self) {
            _ = try store.ingest(file: file, relativePath: path, policy: .everyone())
        }
        #expect(error.code == .invalidPath)
    }

    @Test("store file that is not a database gives store_failed")
    func corruptStore() throws {
        let folder = try TemporaryFolder()
        try folder.write(String(repeating: "not sqlite ", count: 200), to: "store.sqlite")
        let error = try #require(throws: DataError.self) {
            _ = try DocumentStore(path: folder.path("store.sqlite"))
        }
        #expect(error.code == .storeFailed)
        #expect(error.reason.contains("not a database"))
    }
}
