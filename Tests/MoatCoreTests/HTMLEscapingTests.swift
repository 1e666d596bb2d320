import MoatCore
import Testing

@Suite("HTMLEscaping")
struct HTMLEscapingTests {
    @Test("special character becomes a character reference", arguments: [
        ("<", "&lt;"),
        (">", "&gt;"),
        ("&", "&amp;"),
        ("\"", "&quot;"),
        ("'", "&#39;"),
    ])
    func specialCharacter(character: String, reference: String) {
        #expect(HTMLEscaping.escape(character) == reference)
    }

    @Test("script element is neutralised")
    func scriptElement() {
        #expect(HTMLEscaping.escape("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
    }

    @Test("value cannot close a quoted attribute", arguments: [
        #"" onmouseover="alert(1)"#,
        #"' onmouseover='alert(1)"#,
    ])
    func attributeBreakout(value: String) {
        let escaped = HTMLEscaping.escape(value)

        #expect(!escaped.contains("\""))
        #expect(!escaped.contains("'"))
    }

    @Test("existing reference is escaped again")
    func referenceEscapedAgain() {
        #expect(HTMLEscaping.escape("&amp;") == "&amp;amp;")
    }

    @Test("other text passes through unchanged", arguments: ["", "plain text", "café €5 — 日本語 👍🏽", "a/b=c;d"])
    func otherTextUnchanged(text: String) {
        #expect(HTMLEscaping.escape(text) == text)
    }
}
