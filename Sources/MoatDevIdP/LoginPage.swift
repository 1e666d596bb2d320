import MoatCore

/// The dev identity provider's HTML pages. Every inserted value is escaped.
enum LoginPage {
    static func render(action: String, transactionID: String, csrfToken: String, applicationName: String, tenantName: String, message: String?) -> String {
        let notice = message.map { "<p class=\"error\" role=\"alert\">\(HTMLEscaping.escape($0))</p>" } ?? ""
        return page(title: "Sign in", body: """
            <h1>Sign in</h1>
            <p>to <strong>\(HTMLEscaping.escape(applicationName))</strong> at \(HTMLEscaping.escape(tenantName)) (Moat development identity provider)</p>
            \(notice)
            <form method="post" action="\(HTMLEscaping.escape(action))">
              <input type="hidden" name="transaction" value="\(HTMLEscaping.escape(transactionID))">
              <input type="hidden" name="csrf_token" value="\(HTMLEscaping.escape(csrfToken))">
              <label>User name <input id="username" name="username" autocomplete="username" required autofocus></label>
              <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
              <button id="sign-in" type="submit">Sign in</button>
            </form>
            """)
    }

    /// An error page; `code` goes into a `data-error-code` attribute for programs that read the page.
    static func renderError(_ message: String, code: String) -> String {
        page(title: "Sign-in error", body: """
            <h1>Sign-in error</h1><p class="error" role="alert" data-error-code="\(HTMLEscaping.escape(code))">\(HTMLEscaping.escape(message))</p>
            """)
    }

    static func renderSignedOut() -> String {
        page(title: "Signed out", body: "<h1>Signed out</h1><p>You have been signed out. You can close this window.</p>")
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(HTMLEscaping.escape(title)) · Moat IdP</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
        label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.5rem;margin-top:.3rem;box-sizing:border-box}
        button{padding:.6rem 1.2rem;margin-top:.6rem}.error{color:#b42318}
        </style></head><body>
        \(body)
        </body></html>
        """
    }
}
