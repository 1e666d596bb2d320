import MoatCore

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
