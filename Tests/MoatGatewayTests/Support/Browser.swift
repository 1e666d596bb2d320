import Foundation
import MoatHTTP

/// A cookie-keeping user agent that never follows redirects, so each hop can be checked.
final class Browser: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    var cookies: [String: String] = [:]
    let client = HTTPClient()

    func get(_ url: String, headers: [(String, String)] = [("Accept", "text/html")]) async throws -> HTTPClientResponse {
        try await send("GET", url, headers: headers)
    }

    func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: Data? = nil) async throws -> HTTPClientResponse {
        var fields = HTTPHeaders(headers)
        if !cookies.isEmpty {
            fields.add("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await client.send(HTTPClientRequest(
            method: method, url: try require(URL(string: url), "URL \(url)"), headers: fields, body: body, timeout: 30, maxResponseBytes: 4 << 20
        ))
        for header in response.headers.values(for: "Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || header.contains("Max-Age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
        return response
    }

    /// Signs in through the gateway and the dev identity provider's login
    /// form, starting from `target`; returns the final response's `Location`.
    func signIn(_ harness: GatewayHarness, target: String, user: String) async throws -> String {
        try await signIn(gatewayURL: harness.gatewayURL, target: target, user: user)
    }

    /// Signs in at the gateway at `gatewayURL`, starting from `target`.
    func signIn(gatewayURL: String, target: String, user: String) async throws -> String {
        let start = try await get(gatewayURL + target)
        guard start.status == 302, let login = start.headers["Location"] else {
            throw HarnessFailure("GET \(target) returned \(start.status), expected a redirect to sign-in")
        }
        return try await signIn(gatewayURL: gatewayURL, login: login, user: user)
    }

    /// Signs in starting at a `/.auth/login/...` path; returns where the gateway sends the browser.
    func signIn(_ harness: GatewayHarness, login: String, user: String) async throws -> String {
        try await signIn(gatewayURL: harness.gatewayURL, login: login, user: user)
    }

    func signIn(gatewayURL: String, login: String, user: String) async throws -> String {
        let toProvider = try await get(gatewayURL + login)
        guard toProvider.status == 302, let authorize = toProvider.headers["Location"] else {
            throw HarnessFailure("\(login) returned \(toProvider.status), expected a redirect to the identity provider")
        }
        let page = try await get(authorize)
        let html = String(decoding: page.body, as: UTF8.self)
        guard let transaction = hiddenField("transaction", in: html), let csrf = hiddenField("csrf_token", in: html) else {
            throw HarnessFailure("the identity provider's login page returned \(page.status) without its form")
        }
        let form = [("transaction", transaction), ("csrf_token", csrf), ("username", user), ("password", "moat-demo")]
            .map { "\($0.0)=\(FormEncodingForTests.encode($0.1))" }.joined(separator: "&")
        let submitted = try await send(
            "POST", String(authorize.prefix { $0 != "?" }),
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)
        )
        guard let callback = submitted.headers["Location"] else {
            throw HarnessFailure("the login form returned \(submitted.status) without a redirect")
        }
        let landed = try await get(callback)
        guard landed.status == 302, let location = landed.headers["Location"] else {
            throw HarnessFailure("the callback returned \(landed.status): \(String(decoding: landed.body, as: UTF8.self))")
        }
        return location
    }
}

func hiddenField(_ name: String, in html: String) -> String? {
    guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    let rest = html[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&")
}

enum FormEncodingForTests {
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
