@testable import MoatData
import Testing

@Suite("Query text to FTS5")
struct FullTextQueryTests {
    @Test("stop words and punctuation are dropped, hyphenated words kept as a phrase")
    func parsing() {
        let parsed = FullTextQuery.parse("What is the OUT-of-network \"cost\"* of {acl}: NEAR(x)?")
        #expect(parsed.terms == ["network", "cost", "acl", "near", "x"])
        #expect(parsed.phrases == ["out of network"])
    }

    @Test("every reader word in the expression is quoted")
    func expressionQuotesWords() throws {
        let scope = ReaderScope(userID: "t:u", groups: ["g"], clearance: .internal)
        let expression = try #require(FullTextQuery.matchExpression(for: FullTextQuery.parse("alpha OR beta"), scope: scope))
        #expect(expression.hasPrefix("{title section body} : (\"alpha\" OR \"beta\" OR NEAR(\"alpha\" \"beta\", 5))"))
        #expect(expression.hasSuffix("AND acl : (\"e0\" OR \"u743a750\" OR \"g670\")"))
    }

    @Test("group tokens end in a digit so the stemmer leaves them alone", arguments: ["sales", "admins", "é", "x y"])
    func tokensEndInDigit(group: String) {
        let token = AccessTokens.group(group)
        #expect(token.last?.isNumber == true)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber })
    }
}
