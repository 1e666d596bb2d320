import Foundation
import Testing

@testable import MoatWeb

/// The moment at which the front door validates an expired forwarded token again.
@Suite("App Service token expiry")
struct AppServiceTokenExpiryTests {
    /// Returns a compact JWT with `payload` as its claim set and a placeholder signature.
    static func token(payload: String) -> String {
        let encoded = Data(payload.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "eyJhbGciOiJSUzI1NiJ9.\(encoded).c2lnbmF0dXJl"
    }

    @Test("integer exp gives one second before")
    func integerExpiry() {
        let moment = AppServiceFrontDoor.lastValidMoment(of: Self.token(payload: #"{"exp":1800000000,"oid":"x"}"#))
        #expect(moment == Date(timeIntervalSince1970: 1_799_999_999))
    }

    @Test("fractional exp gives one second before")
    func fractionalExpiry() {
        let moment = AppServiceFrontDoor.lastValidMoment(of: Self.token(payload: #"{"exp":1800000000.5}"#))
        #expect(moment == Date(timeIntervalSince1970: 1_799_999_999.5))
    }

    @Test("token without numeric exp gives nil", arguments: [
        #"{"oid":"x"}"#, #"{"exp":"1800000000"}"#, #"{"exp":null}"#, "not json",
    ])
    func missingExpiry(payload: String) {
        #expect(AppServiceFrontDoor.lastValidMoment(of: Self.token(payload: payload)) == nil)
    }

    @Test("malformed token gives nil", arguments: ["", "a.b", "a.b.c.d", "a.!!!.c"])
    func malformedToken(token: String) {
        #expect(AppServiceFrontDoor.lastValidMoment(of: token) == nil)
    }
}
