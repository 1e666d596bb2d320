import Foundation
import Testing

/// The web tier's `/admin/audit` page, signed in through the browser flow.
@Suite("web audit page", .serialized)
struct AuditAdminPageTests {
    @Test("admin sees records filtered by user, with every value escaped")
    func adminSeesFilteredRecords() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let stack = test.stack
        let alice = UserAgent()
        let aliceCSRF = try await alice.signInToWeb(stack, user: "alice")
        _ = try await alice.ask(stack, "annual leave", csrfToken: aliceCSRF)
        let erin = UserAgent()
        _ = try await erin.signInToWeb(stack, user: "erin")

        let all = try await erin.send("GET", stack.webURL + "/admin/audit")
        let filtered = try await erin.send("GET", stack.webURL + "/admin/audit?user=alice&action=chat&decision=allow")
        let injected = try await erin.send("GET", stack.webURL + "/admin/audit?action=%3Cscript%3Ealert(1)%3C%2Fscript%3E")

        #expect(all.status == 200)
        #expect(all.text.contains("<table id=\"audit-records\">"))
        #expect(filtered.status == 200)
        #expect(filtered.text.contains("<td>alice@fabrikam.example</td>"))
        #expect(!filtered.text.contains("<td>erin@fabrikam.example</td>"))
        #expect(filtered.text.contains("<option value=\"allow\" selected>"))
        #expect(injected.status == 200)
        #expect(!injected.text.contains("<script>alert(1)"))
        #expect(injected.text.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
    }

    @Test("user without the Admin role gets 403")
    func nonAdminForbidden() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let alice = UserAgent()
        _ = try await alice.signInToWeb(test.stack, user: "alice")

        let page = try await alice.send("GET", test.stack.webURL + "/admin/audit")

        #expect(page.status == 403)
        #expect(page.text.contains("needs the Admin role"))
        #expect(!page.text.contains("audit-records"))
    }

    @Test("signed-out visitor is sent to sign in")
    func signedOutRedirected() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }

        let page = try await UserAgent().send("GET", test.stack.webURL + "/admin/audit")

        #expect(page.status == 303)
        #expect(page.location == "/auth/login")
    }

    @Test("invalid filter shows the api's reason")
    func invalidFilterShown() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let erin = UserAgent()
        _ = try await erin.signInToWeb(test.stack, user: "erin")

        let page = try await erin.send("GET", test.stack.webURL + "/admin/audit?since=yesterday")

        #expect(page.status == 400)
        #expect(page.text.contains("since=yesterday is not an ISO 8601 time"))
    }

    @Test("older link keeps the filters")
    func olderLinkKeepsFilters() async throws {
        let test = try await TestStack.start()
        defer { Task { await test.stop() } }
        let erin = UserAgent()
        _ = try await erin.signInToWeb(test.stack, user: "erin")
        for _ in 0..<51 {
            _ = try await erin.send("GET", test.stack.webURL + "/api/me")
        }

        let page = try await erin.send("GET", test.stack.webURL + "/admin/audit?action=me")

        #expect(page.text.contains("id=\"older\" href=\"/admin/audit?action=me&amp;before="))
    }
}
