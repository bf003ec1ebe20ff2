"""An HTTP/1.1 server that loses the keep-alive race on purpose: on every connection it
answers the first request (200, keep-alive) and closes the connection when the second one
arrives, without answering it. Prints `port N` once listening, and `seen N` after each
request it read, for the transport's contract test."""
import socket
import sys
import threading

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(f"port {listener.getsockname()[1]}", flush=True)
seen = 0
lock = threading.Lock()


def read_request(connection, buffered):
    while b"\r\n\r\n" not in buffered:
        chunk = connection.recv(65536)
        if not chunk:
            return None, b""
        buffered += chunk
    head, rest = buffered.split(b"\r\n\r\n", 1)
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(rest) < length:
        rest += connection.recv(65536)
    return head, rest[length:]


def serve(connection):
    global seen
    buffered = b""
    for number in (1, 2):
        head, buffered = read_request(connection, buffered)
        if head is None:
            break
        with lock:
            seen += 1
            print(f"seen {seen}", flush=True)
        if number == 1:
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    connection.close()


while True:
    client, _ = listener.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
