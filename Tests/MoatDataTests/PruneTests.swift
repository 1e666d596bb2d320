import Foundation
import MoatData
import Testing

@Suite("corpus pruning")
struct PruneTests {
    static let reader = ReaderScope(userID: "tenant:user", groups: [], clearance: .restricted)

    @Test("file removed from the folder leaves the store only with pruning")
    func removedFileIsPruned() throws {
        let folder = try TemporaryFolder()
        let corpus = folder.url.appendingPathComponent("corpus")
        try folder.write("# Parking\n\nVisitors park in the north lot.\n", to: "corpus/parking.md")
        try folder.write("# Lunch\n\nThe canteen opens at noon.\n", to: "corpus/lunch.md")
        let manifest = Manifest(entries: [:], defaultPolicy: .everyone())
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        _ = try store.ingest(directory: corpus, manifest: manifest)
        #expect(try store.documentCount() == 2)

        try FileManager.default.removeItem(at: corpus.appendingPathComponent("lunch.md"))
        _ = try store.ingest(directory: corpus, manifest: manifest)
        #expect(try store.documentCount() == 2)
        #expect(try !store.search("canteen", scope: Self.reader).isEmpty)

        _ = try store.ingest(directory: corpus, manifest: manifest, pruneMissing: true)
        #expect(try store.documentCount() == 1)
        #expect(try store.search("canteen", scope: Self.reader).isEmpty)
        #expect(try !store.search("parking", scope: Self.reader).isEmpty)
    }
}
