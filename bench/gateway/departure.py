"""Clients that leave requests with a body while the upstream is still working.

Starts a slow upstream on UPSTREAM_PORT, then sends CLIENTS concurrent POSTs
with a bearer token through the gateway on GATEWAY_PORT. Two thirds of the
clients leave after 0.3 to 1 s (half close their socket, half reset it). The
rest wait for the response the upstream sends after 2 s. The upstream holds every
other request for 30 s unless the gateway closes the connection first.

Prints one JSON line: how many requests reached the upstream, how many
upstream connections the gateway closed, and how many waiting clients got
their answer. Standard library only.

Usage: python3 departure.py GATEWAY_PORT UPSTREAM_PORT TOKEN_FILE [CLIENTS]
"""
import json
import random
import socket
import struct
import sys
import threading
import time

gateway_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
token = open(sys.argv[3]).read().strip()
client_count = int(sys.argv[4]) if len(sys.argv) > 4 else 150

lock = threading.Lock()
counts = {"arrived": 0, "closed_by_gateway": 0, "answered_by_upstream": 0, "waiting_ok": 0, "waiting_failed": 0}


def count(name):
    with lock:
        counts[name] += 1


def read_request(connection):
    """Returns the request target after reading the head and the body, or None when the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(65536)
        if not piece:
            return None
        data += piece
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        piece = connection.recv(65536)
        if not piece:
            return None
        body += piece
    return head.split(b" ")[1]


def serve_upstream_connection(connection):
    target = read_request(connection)
    if target is None:
        connection.close()
        return
    count("arrived")
    connection.settimeout(2.0 if target.startswith(b"/quick") else 30.0)
    try:
        if connection.recv(1) == b"":
            count("closed_by_gateway")
            connection.close()
            return
    except socket.timeout:
        pass
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone")
    count("answered_by_upstream")
    connection.close()


def run_upstream():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", upstream_port))
    listener.listen(512)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve_upstream_connection, args=(connection,), daemon=True).start()


def run_client(index, waits):
    client = socket.create_connection(("127.0.0.1", gateway_port))
    body = json.dumps({"question": index}).encode()
    target = f"/quick/{index}" if waits else f"/slow/{index}"
    client.sendall(
        f"POST {target} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )
    if waits:
        client.settimeout(20)
        received = b""
        try:
            while b"done" not in received:
                piece = client.recv(65536)
                if not piece:
                    break
                received += piece
        except OSError:
            pass
        count("waiting_ok" if received.startswith(b"HTTP/1.1 200") and b"done" in received else "waiting_failed")
    else:
        time.sleep(random.uniform(0.3, 1.0))
        if index % 2:
            # SO_LINGER with a zero timeout makes close() send a reset instead of a FIN.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


threading.Thread(target=run_upstream, daemon=True).start()
time.sleep(0.3)
started = time.time()
clients = [threading.Thread(target=run_client, args=(index, index % 3 == 0)) for index in range(client_count)]
for client in clients:
    client.start()
for client in clients:
    client.join()
leaving = sum(1 for index in range(client_count) if index % 3 != 0)
deadline = time.time() + 10
while time.time() < deadline and counts["closed_by_gateway"] < leaving:
    time.sleep(0.1)
print(json.dumps({"clients": client_count, "leaving": leaving, **counts, "seconds": round(time.time() - started, 2)}))
