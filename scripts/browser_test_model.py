#!/usr/bin/env python3
"""A chat-completions stand-in on 127.0.0.1 that streams a scripted answer and pauses halfway.

scripts/browser-test.sh points a second `moat up` at it, so the browser test
can check that the chat page shows the first half of an answer while the
model is still writing. With `"stream": true` the reply is server-sent
events, one piece of PIECE_LENGTH characters per event, the way OpenAI-style
endpoints stream. After half the pieces it waits until a client sends
`POST /release` (or RELEASE_TIMEOUT seconds pass), then sends the rest.
Without `"stream": true` the reply is one JSON completion.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Cites passage 1, which any retrieved passage satisfies, and contains nothing the output guardrails change.
ANSWER = (
    "This answer streams in pieces. The first half reaches the chat page while the model is still writing, "
    "and the second half follows once the browser test releases the model [1]."
)
PIECE_LENGTH = 6
# Seconds a paused reply waits for `POST /release` before it continues anyway.
RELEASE_TIMEOUT = 30


class StandInModel(BaseHTTPRequestHandler):
    """Serves `POST /v1/chat/completions` and `POST /release`."""

    # Closes each connection after its response, so a streamed body needs no chunked framing.
    protocol_version = "HTTP/1.0"
    release = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/release":
            StandInModel.release.set()
            self.send_response(204)
            self.end_headers()
            return
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            self.send_error(400, "the body is not JSON")
            return
        if request.get("stream") is True:
            self.stream_answer(include_usage=bool(request.get("stream_options", {}).get("include_usage")))
        else:
            self.send_json({
                "id": "chatcmpl-browser-test", "object": "chat.completion", "model": "browser-test",
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ANSWER}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130},
            })

    def send_json(self, value: dict) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def stream_answer(self, include_usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [ANSWER[index:index + PIECE_LENGTH] for index in range(0, len(ANSWER), PIECE_LENGTH)]
        try:
            for index, piece in enumerate(pieces):
                if index == len(pieces) // 2:
                    self.wfile.flush()
                    StandInModel.release.wait(RELEASE_TIMEOUT)
                self.send_event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            self.send_event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if include_usage:
                self.send_event({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130}})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The api stopped reading, for example because the browser went away.
            pass
        StandInModel.release.clear()

    def send_event(self, chunk: dict) -> None:
        chunk = {"id": "chatcmpl-browser-test", "object": "chat.completion.chunk", "model": "browser-test", **chunk}
        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the signature http.server defines)
        print(f"model: {format % args}", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="loopback port to listen on")
    arguments = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), StandInModel)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
