import Foundation
import MoatHTTP

/// Static files of the chat page, served from memory.
enum WebAssets {
    static func response(_ content: String, contentType: String) -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: Data(content.utf8))
        response.headers.set("Content-Type", contentType)
        response.headers.set("Cache-Control", "no-cache")
        return response
    }

    static let styleSheet = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1f2933; background: #f7f8fa; }
        header { display: flex; gap: 1rem; align-items: center; justify-content: space-between; padding: .8rem 1.2rem; background: #12344d; color: #fff; }
        header form { margin: 0; }
        main { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
        main.narrow { max-width: 30rem; margin-top: 5rem; }
        label { display: block; font-weight: 600; margin-bottom: .4rem; }
        textarea { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit; }
        button, .button { display: inline-block; padding: .5rem 1.1rem; margin-top: .5rem; border: 0; border-radius: 4px; background: #2563eb; color: #fff; text-decoration: none; font: inherit; cursor: pointer; }
        header button { background: #fff; color: #12344d; margin: 0; }
        #result { background: #fff; padding: 1rem 1.4rem; margin-top: 1.5rem; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
        .citation { margin-bottom: .6rem; }
        .meta { color: #616e7c; font-size: .85rem; }
        .error { color: #b42318; }
        .notices { color: #8a4b00; font-size: .9rem; }
        .provisional { color: #52606d; }
        .withheld { font-style: italic; }
        """
}
