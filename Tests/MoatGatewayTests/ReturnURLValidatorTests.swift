import Foundation
import Testing

@testable import MoatGateway

/// The open-redirect payload list, read from the shared test data folder.
enum OpenRedirectPayloads {
    static func folder() -> URL {
        if let override = ProcessInfo.processInfo.environment["MOAT_TESTDATA"], !override.isEmpty {
            return URL(fileURLWithPath: override).appendingPathComponent("open-redirect")
        }
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        return root.deletingLastPathComponent().appendingPathComponent("shared/testdata/open-redirect")
    }

    static let lines: [String] = {
        let file = folder().appendingPathComponent("openredirects.txt")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.components(separatedBy: "\n").dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 }
    }()
}

@Suite("Return URL validation")
struct ReturnURLValidatorTests {
    /// The allow-list oauth2-proxy uses with this payload list, so payloads that embed an allowed name still fail.
    static let validator = ReturnURLValidator(allowedHosts: [
        "foo.bar", ".bar.foo", "port.bar:8080", ".sub.port.bar:8080", "www.whitelisteddomain.tld",
    ])

    @Test("payload list is present")
    func payloadListIsPresent() {
        #expect(OpenRedirectPayloads.lines.count > 300, "open-redirect payloads not found under \(OpenRedirectPayloads.folder().path)")
    }

    @Test("every payload is rejected raw")
    func payloadsAreRejectedRaw() {
        for payload in OpenRedirectPayloads.lines {
            #expect(Self.validator.validate(payload) != .accepted, "accepted raw: \(payload.debugDescription)")
        }
    }

    @Test("every payload is rejected after one decoding")
    func payloadsAreRejectedDecoded() {
        for payload in OpenRedirectPayloads.lines {
            let decoded = payload.removingPercentEncoding ?? payload
            #expect(Self.validator.validate(decoded) != .accepted, "accepted after decoding: \(payload.debugDescription)")
        }
    }

    @Test("every payload is rejected after query decoding")
    func payloadsAreRejectedQueryDecoded() {
        for payload in OpenRedirectPayloads.lines {
            let decoded = payload.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? payload
            #expect(Self.validator.validate(decoded) != .accepted, "accepted after query decoding: \(payload.debugDescription)")
        }
    }

    @Test("same-origin paths are accepted", arguments: ["/", "/app", "/app/page?x=1&y=2", "/a-b_c.d~e/%C3%A9", "/search?q=a%20b"])
    func sameOriginPathsAreAccepted(candidate: String) {
        #expect(Self.validator.validate(candidate) == .accepted)
    }

    @Test("allowed hosts are accepted", arguments: [
        "https://foo.bar/", "http://foo.bar", "https://www.whitelisteddomain.tld/page?x=1", "http://port.bar:8080/a",
        "https://bar.foo/x", "https://deep.sub.bar.foo/x", "http://a.sub.port.bar:8080/",
    ])
    func allowedHostsAreAccepted(candidate: String) {
        #expect(Self.validator.validate(candidate) == .accepted)
    }

    @Test("lookalikes of allowed hosts are rejected", arguments: [
        "https://badbar.foo/", "https://foo.bar.evil.example/", "http://port.bar:8081/", "https://foo.bar:8443/",
        "https://foo.bar@evil.example/", "https://evil.example#foo.bar", "/%2F%2Fevil.example", "/app/../..//evil.example",
    ])
    func lookalikesAreRejected(candidate: String) {
        #expect(Self.validator.validate(candidate) != .accepted)
    }
}

@Suite("Path normalisation")
struct PathNormalizationTests {
    @Test("dot segments and repeated slashes resolve", arguments: [
        ("/a/./b", "/a/b"), ("/a/../b", "/b"), ("//a//b", "/a/b"), ("/a/b/", "/a/b/"), ("/", "/"),
    ])
    func normalizes(input: String, expected: String) {
        #expect(PathNormalization.normalize(input) == expected)
    }

    @Test("more forms resolve as before", arguments: [
        ("/a/.", "/a"), ("/a/..", "/"), ("/a//", "/a/"), ("//", "/"), ("/a/.b/c", "/a/.b/c"), ("/a/.../c", "/a/.../c"),
        ("/a/b..", "/a/b.."), ("/.well-known/x", "/.well-known/x"), ("/a/./", "/a/"), ("/a/b", "/a/b"),
    ])
    func normalizesMoreForms(input: String, expected: String) {
        #expect(PathNormalization.normalize(input) == expected)
    }

    @Test("path without slash is rejected")
    func relativePathRejected() {
        #expect(PathNormalization.normalize("a/b") == nil)
    }

    @Test("dot segments are found", arguments: [
        ("/a/./b", true), ("/a/../b", true), ("/.", true), ("/..", true), ("/a/.", true),
        ("/a/.b", false), ("/a/...", false), ("/a//b", false), ("/", false), ("/a.b/c", false),
    ])
    func dotSegmentsFound(path: String, found: Bool) {
        #expect(PathNormalization.containsDotSegment(path) == found)
    }

    @Test("climbing above the root is rejected")
    func aboveRootIsRejected() {
        #expect(PathNormalization.normalize("/../etc/passwd") == nil)
    }

    @Test("excluded path matches only in normal form", arguments: [
        ("/healthz", true), ("/healthz/", false), ("//healthz", false), ("/x/../healthz", false), ("/healthz;a", false), ("/Healthz", false),
    ])
    func excludedMatching(path: String, excluded: Bool) {
        #expect(PathNormalization.isExcluded(path, excluded: ["/healthz"]) == excluded)
    }

    @Test("prefix matching follows segments")
    func prefixFollowsSegments() {
        #expect(PathNormalization.path("/admin/users", isUnder: "/admin"))
        #expect(PathNormalization.path("/admin", isUnder: "/admin/"))
        #expect(!PathNormalization.path("/administrator", isUnder: "/admin"))
    }
}

@Suite("Identity field names")
struct IdentityFieldTests {
    @Test("identity field variants are recognised", arguments: [
        "X-MS-CLIENT-PRINCIPAL", "x-ms-client-principal-id", "X_MS_CLIENT_PRINCIPAL_NAME", "X-Ms-Client-Principal-Idp",
        "X-MS-TOKEN-AAD-ACCESS-TOKEN", "x_ms_token_aad_refresh_token", "X-Moat-Gateway-Assertion", "x_moat_user_context",
    ])
    func variantsAreIdentityFields(name: String) {
        #expect(ForwardingHeaders.isIdentityField(name))
    }

    @Test("ordinary fields are not identity fields", arguments: ["Accept", "X-Ms-Other", "X-Request-Id", "Cookie"])
    func ordinaryFieldsPass(name: String) {
        #expect(!ForwardingHeaders.isIdentityField(name))
    }
}
