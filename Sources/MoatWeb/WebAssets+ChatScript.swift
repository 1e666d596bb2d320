import Foundation

extension WebAssets {
    /// The chat page's script. It asks `/api/chat` for server-sent events and
    /// shows each `delta` as it arrives, and it still handles a JSON answer.
    /// Text from the api is only ever set with `textContent` or text nodes, never as HTML.
    ///
    /// Behind App Service authentication, a 401 `front_door_token_expired` makes it call
    /// App Service's `/.auth/refresh` once and retry the request once (`callWebTier`).
    /// When either fails, it shows a sign-in link in place of the error.
    static let chatScript = """
        "use strict";
        const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
        const element = (id) => document.getElementById(id);
        const show = (id, visible) => { element(id).hidden = !visible; };

        // Raised by callWebTier when the tokens App Service stores could not be renewed.
        class SignInRequired extends Error {
          constructor(loginURL) {
            super("the sign-in has expired");
            this.loginURL = loginURL;
          }
        }

        // Returns `value` when it is a path on this origin, else `fallback`, so that a
        // problem member can never send the browser to another site.
        function sameOriginPath(value, fallback) {
          const isPath = typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\\\");
          return isPath ? value : fallback;
        }

        // Returns the problem details of a 401 front_door_token_expired response, else null.
        async function expiredTokenProblem(response) {
          if (response.status !== 401) { return null; }
          const problem = await response.clone().json().catch(() => null);
          return problem !== null && problem.code === "front_door_token_expired" ? problem : null;
        }

        // Calls App Service's token refresh and resolves to true on 200. Requests that
        // fail together share one call.
        let tokenRefresh = null;
        function refreshTokens(refreshURL) {
          if (tokenRefresh === null) {
            tokenRefresh = fetch(refreshURL, { credentials: "same-origin", cache: "no-store" })
              .then((response) => response.ok, () => false)
              .finally(() => { tokenRefresh = null; });
          }
          return tokenRefresh;
        }

        // Sends a request to the web tier. App Service does not renew the tokens it
        // forwards by itself, so on front_door_token_expired this refreshes them once
        // and retries once. Rejects with SignInRequired when the refresh fails or the
        // retry is still expired. Every other response is returned unchanged.
        async function callWebTier(url, options) {
          const response = await fetch(url, options);
          const problem = await expiredTokenProblem(response);
          if (problem === null) { return response; }
          const loginURL = sameOriginPath(problem.login_url, "/.auth/login/aad?post_login_redirect_uri=/");
          const refreshed = await refreshTokens(sameOriginPath(problem.refresh_url, "/.auth/refresh"));
          if (!refreshed) { throw new SignInRequired(loginURL); }
          const retried = await fetch(url, options);
          if ((await expiredTokenProblem(retried)) !== null) { throw new SignInRequired(loginURL); }
          return retried;
        }

        function showSignInRequired(loginURL) {
          const link = document.createElement("a");
          link.id = "sign-in-again";
          link.href = loginURL;
          link.textContent = "Sign in again";
          element("error").replaceChildren("Your sign-in has expired and could not be renewed. ", link, " to continue.");
          show("error", true);
        }

        async function loadProfile() {
          let response;
          try {
            response = await callWebTier("/api/me", { headers: { "Accept": "application/json" }, credentials: "same-origin" });
          } catch (failure) {
            if (!(failure instanceof SignInRequired)) { throw failure; }
            showSignInRequired(failure.loginURL);
            return;
          }
          if (response.status === 401) { window.location.assign("/auth/login"); return; }
          if (!response.ok) { return; }
          const me = await response.json();
          element("user-roles").textContent = (me.roles || []).join(", ") || "none";
        }

        function showError(title, detail, requestID) {
          element("error").textContent = title + ": " + detail + " (request " + (requestID || "?") + ")";
          show("error", true);
        }

        function addNotice(notice) {
          const item = document.createElement("li");
          item.textContent = notice.message;
          element("notices").append(item);
          show("notices", true);
        }

        function showNotices(notices) {
          element("notices").replaceChildren();
          show("notices", false);
          for (const notice of notices || []) { addNotice(notice); }
        }

        function showCitations(citations) {
          const list = element("citations");
          list.replaceChildren();
          for (const citation of citations || []) {
            const item = document.createElement("li");
            item.className = "citation";
            item.value = citation.index;
            const title = document.createElement("strong");
            title.textContent = citation.title + (citation.page ? ", page " + citation.page : "") + (citation.section ? ", " + citation.section : "");
            const snippet = document.createElement("span");
            snippet.textContent = " " + citation.snippet;
            item.append(title, snippet);
            list.append(item);
          }
        }

        function showSummary(summary) {
          element("request-id").textContent = summary.request_id;
          element("model").textContent = summary.model;
          showNotices(summary.notices);
        }

        // Empties and hides the previous answer, so that an error shown for the next
        // question cannot be read as belonging to the old answer and its request id.
        function clearResult() {
          show("result", false);
          element("answer").textContent = "";
          element("answer").className = "";
          element("answer-status").textContent = "";
          element("request-id").textContent = "";
          element("model").textContent = "";
          showNotices([]);
          showCitations([]);
        }

        function showJSONAnswer(body) {
          element("answer").textContent = body.answer;
          showSummary(body);
          showCitations(body.citations);
          show("result", true);
        }

        // Parses one event block of a text/event-stream body (WHATWG HTML, "server-sent events").
        function parseEvent(block) {
          let name = "message";
          const data = [];
          for (const line of block.split("\\n")) {
            if (line === "" || line.startsWith(":")) { continue; }
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? "" : line.slice(colon + 1);
            if (value.startsWith(" ")) { value = value.slice(1); }
            if (field === "event") { name = value; }
            if (field === "data") { data.push(value); }
          }
          return data.length === 0 ? null : { name, data: JSON.parse(data.join("\\n")) };
        }

        // Calls `handle` with each event as it arrives. Rejects when the body
        // ends without its chunked terminator, which the api uses to mark an incomplete answer.
        async function readEvents(response, handle) {
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) { return; }
            buffer += value.replace(/\\r\\n?/g, "\\n");
            let end;
            while ((end = buffer.indexOf("\\n\\n")) >= 0) {
              const event = parseEvent(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
              if (event) { handle(event); }
            }
          }
        }

        // Shows a streamed answer. Deltas stay provisional until `done`: after
        // `error` or a cut-off body the text received is discarded, as the api requires.
        async function showStreamedAnswer(response) {
          const answer = element("answer");
          const status = element("answer-status");
          answer.textContent = "";
          answer.className = "provisional";
          status.textContent = "Answering…";
          element("request-id").textContent = response.headers.get("X-Request-Id") || "";
          element("model").textContent = "";
          showNotices([]);
          showCitations([]);
          element("result").setAttribute("aria-busy", "true");
          show("result", true);

          let ending = null;
          const handlers = {
            notice: (data) => addNotice(data),
            delta: (data) => answer.append(document.createTextNode(data.text)),
            citations: (data) => showCitations(data.citations),
            done: (data) => {
              ending = "done";
              showSummary(data);
              answer.className = "";
              status.textContent = "";
            },
            withheld: (data) => {
              ending = "withheld";
              showSummary(data);
              showCitations([]);
              answer.textContent = data.message;
              answer.className = "withheld";
              status.textContent = "The answer was withheld by the guardrails (" + (data.rules || []).join(", ") + ").";
            },
            error: (data) => {
              ending = "error";
              show("result", false);
              answer.textContent = "";
              showError("The answer failed", data.detail, data.request_id);
            },
          };
          try {
            await readEvents(response, (event) => {
              if (ending === null && Object.hasOwn(handlers, event.name)) { handlers[event.name](event.data); }
            });
          } catch (failure) {
            console.warn("the answer stream ended early", failure);
          } finally {
            element("result").setAttribute("aria-busy", "false");
          }
          if (ending === null) {
            show("result", false);
            answer.textContent = "";
            showError("The answer was interrupted", "the connection ended before the answer was complete; ask again", response.headers.get("X-Request-Id"));
          }
        }

        async function ask(event) {
          event.preventDefault();
          const question = element("question").value.trim();
          if (!question) { return; }
          const button = element("ask");
          button.disabled = true;
          show("error", false);
          clearResult();
          try {
            const response = await callWebTier("/api/chat", {
              method: "POST",
              headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken, "Accept": "text/event-stream, application/json" },
              body: JSON.stringify({ question }),
              credentials: "same-origin"
            });
            const contentType = response.headers.get("Content-Type") || "";
            if (response.ok && contentType.startsWith("text/event-stream")) {
              await showStreamedAnswer(response);
              return;
            }
            const body = await response.json();
            if (!response.ok) {
              showError(body.title || "Error", body.detail || response.status, body.request_id);
              return;
            }
            showJSONAnswer(body);
          } catch (failure) {
            if (failure instanceof SignInRequired) {
              showSignInRequired(failure.loginURL);
            } else {
              showError("The request failed", "the server could not be reached; try again", null);
            }
          } finally {
            button.disabled = false;
          }
        }

        element("ask-form").addEventListener("submit", ask);
        loadProfile();
        """
}
