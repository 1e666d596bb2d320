import Foundation
import MoatCore
import MoatJSON

/// The web tier's HTML pages. Every inserted value is escaped; answers are
/// rendered by the script with `textContent`, never as HTML.
enum WebPages {
    static func landing() -> String {
        page(title: "Moat", body: """
            <main class="narrow">
              <h1>Moat</h1>
              <p>Ask questions about the documents you are allowed to read. Every answer cites its sources, and every request is audited.</p>
              <p><a id="sign-in" class="button" href="/auth/login">Sign in</a></p>
            </main>
            """)
    }

    static func chat(userName: String, csrfToken: String) -> String {
        page(title: "Moat chat", csrfToken: csrfToken, body: """
            <header>
              <strong>Moat</strong>
              <span>Signed in as <span id="user-name">\(HTMLEscaping.escape(userName))</span>
                · roles: <span id="user-roles">…</span></span>
              <form id="sign-out-form" method="post" action="/auth/logout">
                <input type="hidden" name="csrf_token" value="\(HTMLEscaping.escape(csrfToken))">
                <button id="sign-out" type="submit">Sign out</button>
              </form>
            </header>
            <main>
              <form id="ask-form">
                <label for="question">Question</label>
                <textarea id="question" name="question" rows="3" maxlength="4000" required></textarea>
                <button id="ask" type="submit">Ask</button>
              </form>
              <section id="result" hidden>
                <h2>Answer</h2>
                <p id="answer"></p>
                <p id="answer-status" class="meta" role="status"></p>
                <ul id="notices" class="notices" hidden></ul>
                <h3>Sources</h3>
                <ol id="citations"></ol>
                <p class="meta">Request <code id="request-id"></code> · model <span id="model"></span></p>
              </section>
              <p id="error" class="error" role="alert" hidden></p>
            </main>
            <script src="/static/chat.js"></script>
            """)
    }

    static func signedOut() -> String {
        page(title: "Signed out", body: """
            <main class="narrow"><h1>Signed out</h1><p id="signed-out">You have been signed out.</p>
            <p><a class="button" href="/auth/login">Sign in again</a></p></main>
            """)
    }

    static func error(_ message: String) -> String {
        page(title: "Error", body: """
            <main class="narrow"><h1>Something went wrong</h1><p class="error" role="alert">\(HTMLEscaping.escape(message))</p>
            <p><a href="/">Home</a></p></main>
            """)
    }

    /// Renders the audit log page: a filter form and one table row per record. Every value from
    /// a record or a filter is escaped, because records carry text chosen by callers.
    static func auditLog(userName: String, filters: [String: String], records: [JSONValue], olderThan: Int64?, message: String? = nil) -> String {
        func field(_ name: String, _ label: String, placeholder: String) -> String {
            """
            <label>\(HTMLEscaping.escape(label)) <input name="\(name)" value="\(HTMLEscaping.escape(filters[name] ?? ""))" placeholder="\(HTMLEscaping.escape(placeholder))"></label>
            """
        }
        let decisions = ["", "allow", "deny", "error"].map { value in
            let selected = filters["decision"] == value ? " selected" : ""
            return "<option value=\"\(value)\"\(selected)>\(value.isEmpty ? "any" : value)</option>"
        }.joined()
        let rows = records.map(auditRow).joined(separator: "\n")
        var older = ""
        if let olderThan {
            var components = URLComponents()
            components.path = "/admin/audit"
            components.queryItems = WebApp.auditFilterNames.compactMap { name in filters[name].map { URLQueryItem(name: name, value: $0) } }
                + [URLQueryItem(name: "before", value: "\(olderThan)")]
            let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            components.percentEncodedQuery = query
            older = "<p><a id=\"older\" href=\"\(HTMLEscaping.escape(components.string ?? "/admin/audit"))\">Older records</a></p>"
        }
        let notice = message.map { "<p id=\"error\" class=\"error\" role=\"alert\">\(HTMLEscaping.escape($0))</p>" } ?? ""
        return page(title: "Moat audit log", body: """
            <header>
              <strong>Moat audit log</strong>
              <span>Signed in as <span id="user-name">\(HTMLEscaping.escape(userName))</span></span>
              <a href="/">Chat</a>
            </header>
            <main>
              <form id="audit-filters" method="get" action="/admin/audit">
                \(field("user", "User", placeholder: "name, object id or tid:oid"))
                \(field("action", "Action", placeholder: "chat"))
                <label>Decision <select name="decision">\(decisions)</select></label>
                \(field("since", "Since", placeholder: "2026-03-01"))
                \(field("until", "Until", placeholder: "2026-03-31T23:59:59Z"))
                <button type="submit">Filter</button>
              </form>
              \(notice)
              <table id="audit-records">
                <thead><tr><th>#</th><th>Time (UTC)</th><th>User</th><th>App</th><th>Action</th><th>Decision</th><th>Reason</th><th>Status</th><th>Documents</th><th>Guardrails</th><th>Model</th><th>Latency ms</th><th>Request</th></tr></thead>
                <tbody>
            \(rows)
                </tbody>
              </table>
              <p class="meta">\(records.count) records shown, newest first.</p>
              \(older)
            </main>
            """)
    }

    private static func auditRow(_ record: JSONValue) -> String {
        func text(_ value: JSONValue?) -> String {
            switch value {
            case .string(let string)?: string
            case .integer(let number)?: "\(number)"
            default: ""
            }
        }
        let documents = (record["documents"]?.arrayValue ?? []).map { "\(text($0["id"])) (\(text($0["classification"])))" }.joined(separator: ", ")
        let verdicts = (record["verdicts"]?.arrayValue ?? []).map { "\(text($0["rule_id"])) (\(text($0["action"])))" }.joined(separator: ", ")
        let cells = [
            text(record["seq"]), text(record["time"]), text(record["user_name"] ?? record["object_id"]), text(record["client_app_id"]),
            text(record["action"]), text(record["decision"]), text(record["reason"]), text(record["http_status"]),
            documents, verdicts, text(record["model"]), text(record["latency_ms"]), text(record["request_id"]),
        ]
        return "<tr class=\"decision-\(HTMLEscaping.escape(text(record["decision"])))\">"
            + cells.map { "<td>\(HTMLEscaping.escape($0))</td>" }.joined() + "</tr>"
    }

    private static func page(title: String, csrfToken: String? = nil, body: String) -> String {
        let csrf = csrfToken.map { "<meta name=\"csrf-token\" content=\"\(HTMLEscaping.escape($0))\">" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(HTMLEscaping.escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">\(csrf)
            <link rel="stylesheet" href="/static/chat.css"></head>
            <body>
            \(body)
            </body></html>
            """
    }
}
