import Testing

@testable import MoatGateway

@Suite("Bearer scheme")
struct BearerSchemeTests {
    @Test("bearer scheme matches in any case", arguments: ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR", "Bearer"])
    func schemeMatches(value: String) {
        #expect(Gateway.hasBearerScheme(value))
    }

    @Test("other schemes do not match", arguments: ["Basic abc", "Bear abc", "", "beare", " Bearer abc", "Bearør"])
    func otherSchemesDoNotMatch(value: String) {
        #expect(!Gateway.hasBearerScheme(value))
    }
}
