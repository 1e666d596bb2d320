import Foundation
import MoatConfig
import MoatHTTP
import MoatLauncher
import Testing

/// `moat gateway`, `moat web --pattern 2` and `moat api --pattern 2` as separate
/// components, each with its own data folder, so that everything they share
/// travels over HTTP: the gateway's assertion keys, the issuer's keys and the
/// web tier's user context keys.
@Suite("Pattern 2 as separate components", .serialized)
struct SeparateProcessPatternTests {
    @Test("pattern 2 answers across components")
    func patternTwoAcrossComponents() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("moat-separate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var shared = MoatConfiguration()
        shared.idp.port = try PortPicker.freePort()
        shared.web.port = try PortPicker.freePort()
        shared.api.port = try PortPicker.freePort()
        shared.gateway.port = try PortPicker.freePort()
        shared.gateway.publicBaseURL = "http://127.0.0.1:\(shared.gateway.port)"
        shared.gateway.upstream = "http://127.0.0.1:\(shared.web.port)"
        func folder(_ name: String) -> MoatConfiguration {
            var configuration = shared
            configuration.dataDirectory = root.appendingPathComponent(name).path
            return configuration
        }

        let gateway = try await GatewayStack.start(folder("gateway"), logger: .disabled)
        var servers: [HTTPServer] = []
        do {
            servers.append(try ComponentCommand.start(.api, pattern: 2, configuration: folder("api"), logger: .disabled))
            servers.append(try ComponentCommand.start(.web, pattern: 2, configuration: folder("web"), logger: .disabled))

            let browser = Browser()
            _ = try await browser.signIn(gatewayURL: gateway.gatewayURL, target: "/", user: "alice")
            let home = try await browser.get(gateway.gatewayURL + "/")
            #expect(home.status == 200)
            let html = String(decoding: home.body, as: UTF8.self)
            let marker = try require(html.range(of: "<meta name=\"csrf-token\" content=\""), "the chat page's CSRF token")
            let csrf = String(html[marker.upperBound...].prefix { $0 != "\"" })

            let reply = try await browser.send("POST", gateway.gatewayURL + "/api/chat", headers: [
                ("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", gateway.gatewayURL),
            ], body: Data(#"{"question":"What is the on-call allowance?"}"#.utf8))
            #expect(reply.status == 200, "reply: \(String(decoding: reply.body, as: UTF8.self))")
            // The api retrieves with the web tier's app identity, which cannot read the engineering-only rota.
            #expect(!String(decoding: reply.body, as: UTF8.self).contains("oncall-deployment.txt"))

            let direct = try await HTTPClient().send(HTTPClientRequest(
                url: try require(URL(string: "http://127.0.0.1:\(shared.web.port)/api/me")),
                headers: HTTPHeaders([("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-4000-8000-000000000001")])
            ))
            #expect(direct.status == 401)
        } catch {
            for server in servers.reversed() { await server.stop() }
            await gateway.stop()
            throw error
        }
        for server in servers.reversed() { await server.stop() }
        await gateway.stop()
    }

    @Test("pattern 2 behind App Service across components")
    func patternTwoBehindAppService() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("moat-separate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var shared = MoatConfiguration()
        shared.idp.port = try PortPicker.freePort()
        shared.web.port = try PortPicker.freePort()
        shared.api.port = try PortPicker.freePort()
        shared.web.frontDoor = "app-service"
        // An issuer set explicitly, as on Azure, so the web tier's secret must come from the configuration too.
        shared.api.issuer = "http://127.0.0.1:\(shared.idp.port)/1921488a-9834-4920-864a-44dfc001e2df/v2.0"
        shared.web.clientSecret = AppServiceFrontEnd.webClientSecret
        func folder(_ name: String) -> MoatConfiguration {
            var configuration = shared
            configuration.dataDirectory = root.appendingPathComponent(name).path
            return configuration
        }

        var servers: [HTTPServer] = []
        do {
            servers.append(try ComponentCommand.start(.idp, pattern: 2, configuration: folder("idp"), logger: .disabled))
            servers.append(try ComponentCommand.start(.api, pattern: 2, configuration: folder("api"), logger: .disabled))
            servers.append(try ComponentCommand.start(.web, pattern: 2, configuration: folder("web"), logger: .disabled))
            let webURL = "http://127.0.0.1:\(shared.web.port)"
            let frontEnd = AppServiceFrontEnd(issuer: try require(shared.api.issuer), publicURL: webURL, webURL: webURL)

            let tokens = try await frontEnd.signIn("alice")
            let fields = frontEnd.headers(for: tokens, objectID: try objectID(of: try require(tokens.idToken, "the ID token")))
            let home = try await frontEnd.send("GET", "/", headers: fields + [("Accept", "text/html")])
            #expect(home.status == 200)
            let html = String(decoding: home.body, as: UTF8.self)
            let marker = try require(html.range(of: "<meta name=\"csrf-token\" content=\""), "the chat page's CSRF token")
            let csrf = String(html[marker.upperBound...].prefix { $0 != "\"" })

            let reply = try await frontEnd.send("POST", "/api/chat", headers: fields + [
                ("Content-Type", "application/json"), ("X-CSRF-Token", csrf), ("Origin", webURL),
            ], body: Data(#"{"question":"What is the on-call allowance?"}"#.utf8))
            #expect(reply.status == 200, "reply: \(String(decoding: reply.body, as: UTF8.self))")

            // The api trusts only contexts signed with the key the web tier publishes.
            let keys = try await frontEnd.send("GET", "/.well-known/moat-user-context-keys", headers: [])
            #expect(keys.status == 200)
            #expect(String(decoding: keys.body, as: UTF8.self).contains("\"kty\":\"EC\""))
        } catch {
            for server in servers.reversed() { await server.stop() }
            throw error
        }
        for server in servers.reversed() { await server.stop() }
    }

    @Test("component refuses pattern 1")
    func componentRefusesPatternOne() {
        #expect(throws: LaunchError.self) {
            _ = try ComponentCommand.start(.web, pattern: 1, configuration: MoatConfiguration(), logger: .disabled)
        }
    }
}
