import Foundation
import MoatData
import Testing

/// Every document below contains the word "quokka", so a search for it
/// returns exactly the documents the reader may read.
@Suite("Access filter in retrieval")
struct AccessFilterTests {
    static let alice = ReaderScope(userID: "tenant:alice", groups: ["group-a"], clearance: .restricted)
    static let bob = ReaderScope(userID: "tenant:bob", groups: ["group-b"], clearance: .restricted)
    static let carol = ReaderScope(userID: "tenant:carol", groups: [], clearance: .public)

    static func makeStore(_ folder: TemporaryFolder) throws -> DocumentStore {
        let store = try DocumentStore(path: folder.path("store.sqlite"))
        let documents: [(String, DocumentPolicy)] = [
            ("group-a.txt", .groups(["group-a"])),
            ("group-b.txt", .groups(["group-b"])),
            ("alice.txt", .users(["tenant:alice"])),
            ("everyone.txt", .everyone(.public)),
            ("everyone-restricted.txt", .everyone(.restricted)),
            ("tricky-group.txt", .groups(["acl\" OR e0 OR \"x", "* NEAR("])),
        ]
        for (name, policy) in documents {
            let file = try folder.write("The quokka document \(name) is here.", to: "corpus/\(name)")
            _ = try store.ingest(file: file, relativePath: name, policy: policy)
        }
        return store
    }

    static func paths(_ store: DocumentStore, _ query: String, _ scope: ReaderScope) throws -> Set<String> {
        Set(try store.search(query, scope: scope, limit: 100).map(\.path))
    }

    @Test("group member sees group, personal and everyone documents")
    func groupMemberView() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        #expect(try Self.paths(store, "quokka", Self.alice) == ["group-a.txt", "alice.txt", "everyone.txt", "everyone-restricted.txt"])
    }

    @Test("documents of group A never reach a member of group B")
    func otherGroupIsHidden() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        #expect(try Self.paths(store, "quokka", Self.bob) == ["group-b.txt", "everyone.txt", "everyone-restricted.txt"])
    }

    @Test("classification above clearance never appears")
    func clearanceLimitsResults() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        #expect(try Self.paths(store, "quokka", Self.carol) == ["everyone.txt"])
    }

    @Test("reader named like a group token gains nothing")
    func groupNamesAreNotSyntax() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let mallory = ReaderScope(userID: "tenant:mallory", groups: ["acl", "e0", "x", "*", "NEAR"], clearance: .restricted)
        #expect(try Self.paths(store, "quokka", mallory) == ["everyone.txt", "everyone-restricted.txt"])
        let insider = ReaderScope(userID: "tenant:insider", groups: ["* NEAR("], clearance: .restricted)
        #expect(try Self.paths(store, "quokka", insider).contains("tricky-group.txt"))
    }

    @Test("FTS syntax in the query cannot widen access", arguments: [
        "quokka", "\"quokka\"", "quokka*", "NEAR(quokka group)", "quokka OR e0", "quokka -x", "acl:quokka",
        "{acl}: e0", "{acl cls}: quokka", "quokka) OR (acl : e0", "^quokka", "quokka AND NOT x", "\"\"\"", "c3 c2 c1",
        "g67726f75702d610", "quokka + group", ":::", "(((", "e0",
    ])
    func querySyntaxIsInert(query: String) throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let visible: Set<String> = ["group-b.txt", "everyone.txt", "everyone-restricted.txt"]
        #expect(try Self.paths(store, query, Self.bob).isSubset(of: visible))
    }

    @Test("query with only stop words and punctuation returns nothing")
    func emptyQuery() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        #expect(try store.search("what is the * - : ?", scope: Self.alice).isEmpty)
        #expect(try store.search("", scope: Self.alice).isEmpty)
    }

    @Test("document lookup returns nil for an unreadable document")
    func documentLookup() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let groupA = DocumentStore.documentID(forRelativePath: "group-a.txt")
        let restricted = DocumentStore.documentID(forRelativePath: "everyone-restricted.txt")
        #expect(try store.document(id: groupA, scope: Self.alice)?.path == "group-a.txt")
        #expect(try store.document(id: groupA, scope: Self.bob) == nil)
        #expect(try store.document(id: restricted, scope: Self.carol) == nil)
        #expect(try store.document(id: "no-such-id", scope: Self.alice) == nil)
    }

    @Test("personal document is readable only by its user")
    func userDocument() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let id = DocumentStore.documentID(forRelativePath: "alice.txt")
        #expect(try store.document(id: id, scope: Self.alice) != nil)
        let impostor = ReaderScope(userID: "tenant:alice2", groups: ["tenant:alice"], clearance: .restricted)
        #expect(try store.document(id: id, scope: impostor) == nil)
        #expect(try !Self.paths(store, "quokka", impostor).contains("alice.txt"))
    }

    @Test("empty user id is rejected")
    func emptyUserID() throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let error = try #require(throws: DataError.self) {
            _ = try store.search("quokka", scope: ReaderScope(userID: " ", groups: ["group-a"], clearance: .restricted))
        }
        #expect(error.code == .invalidReaderScope)
    }

    @Test("searches from many threads at once see only readable documents")
    func concurrentSearches() async throws {
        let folder = try TemporaryFolder()
        let store = try Self.makeStore(folder)
        let leaks = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var leaks = 0
                    for _ in 0..<20 {
                        let paths = (try? store.search("quokka", scope: Self.bob).map(\.path)) ?? ["error"]
                        leaks += paths.filter { !["group-b.txt", "everyone.txt", "everyone-restricted.txt"].contains($0) }.count
                    }
                    return leaks
                }
            }
            return await group.reduce(0, +)
        }
        #expect(leaks == 0)
    }
}
