#!/usr/bin/env python3
"""An https upstream for the gateway's tests, using only the standard library.

Usage: tls_websocket_upstream.py CERT_FILE KEY_FILE

Listens on a free loopback port and prints the port on the first line of
standard output. Each connection gets one request:

- GET /ws with a WebSocket handshake: 101, then every frame from the client
  comes back unmasked with the same payload (RFC 6455 section 5).
- GET /ws-close with a handshake: echoes one frame, then sends a TLS
  close_notify and waits for the client to close.
- GET /ws-drop with a handshake: echoes one frame, then closes the TCP
  connection without a TLS close_notify.
- GET /ws-burst with a handshake: the 101 head and three text frames
  ("one", "two", "three") in a single write, then the connection stays open
  until the client closes it.
- Any other request: 200 with the body "hello over tls".
"""

import base64
import hashlib
import socket
import ssl
import struct
import sys
import threading

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_exactly(connection, count):
    data = b""
    while len(data) < count:
        piece = connection.recv(count - len(data))
        if not piece:
            raise EOFError("connection closed")
        data += piece
    return data


def read_head(connection):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(4096)
        if not piece:
            raise EOFError("connection closed before the request head ended")
        data += piece
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return lines[0].split(" ")[1], fields


def frame(payload):
    """Return an unmasked final text frame, as a server sends it (RFC 6455 section 5.2)."""
    if len(payload) < 126:
        header = struct.pack("!BB", 0x81, len(payload))
    elif len(payload) < 65536:
        header = struct.pack("!BBH", 0x81, 126, len(payload))
    else:
        header = struct.pack("!BBQ", 0x81, 127, len(payload))
    return header + payload


def read_frame(connection):
    first, second = read_exactly(connection, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(connection, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(connection, 8))[0]
    mask = read_exactly(connection, 4) if second & 0x80 else b"\0\0\0\0"
    payload = read_exactly(connection, length)
    return bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def switching_protocols(fields):
    accept = base64.b64encode(hashlib.sha1((fields["sec-websocket-key"] + WEBSOCKET_GUID).encode()).digest()).decode()
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
    ).encode()


def serve(connection):
    with connection:
        try:
            path, fields = read_head(connection)
            if path == "/ws":
                connection.sendall(switching_protocols(fields))
                while True:
                    connection.sendall(frame(read_frame(connection)))
            elif path == "/ws-close":
                connection.sendall(switching_protocols(fields))
                connection.sendall(frame(read_frame(connection)))
                # Ends the server's side with a TLS close_notify (RFC 8446 section 6.1), then
                # waits for the client's side to end.
                connection.unwrap()
            elif path == "/ws-drop":
                connection.sendall(switching_protocols(fields))
                connection.sendall(frame(read_frame(connection)))
                # Closing the socket under the TLS layer sends no close_notify.
                socket.socket(fileno=connection.detach()).close()
            elif path == "/ws-burst":
                connection.sendall(switching_protocols(fields) + frame(b"one") + frame(b"two") + frame(b"three"))
                while connection.recv(4096):
                    pass
            else:
                body = b"hello over tls"
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
        except (EOFError, OSError):
            pass


def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        try:
            # The handshake runs on the connection's thread, so a client that fails it blocks no one.
            secure = context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
        except OSError:
            client.close()
            continue

        def handshake_and_serve(connection=secure):
            try:
                connection.do_handshake()
            except (ssl.SSLError, OSError):
                connection.close()
                return
            serve(connection)

        threading.Thread(target=handshake_and_serve, daemon=True).start()


if __name__ == "__main__":
    main()
