"""Real WebSocket clients for the gateway tests, driven line by line over stdin/stdout.

usage: ws_clients.py BASE_WS_URL

Commands on stdin, one per line:
  connect NAME USER   open a socket as USER (?user_id=USER); answers connected or refused
  send NAME TEXT      send TEXT as a text message
  sendlong NAME N     send a text message of N bytes
  ping NAME           send a ping; answers pong when the pong arrives
  close NAME          close cleanly (close handshake); answers closed
  abort NAME          drop the TCP connection without a close handshake; answers closed

Events on stdout, one JSON object per line:
  {"event": "connected", "name": NAME}
  {"event": "refused", "name": NAME, "status": STATUS}
  {"event": "message", "name": NAME, "data": TEXT}
  {"event": "pong", "name": NAME}
  {"event": "closed", "name": NAME, "code": CODE, "reason": REASON}
"""
import asyncio
import json
import sys
import urllib.parse

import websockets


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def listen(name, socket):
    try:
        async for message in socket:
            emit(event="message", name=name, data=message if isinstance(message, str) else message.decode())
    except websockets.ConnectionClosed:
        pass
    emit(event="closed", name=name, code=socket.close_code, reason=socket.close_reason)


async def main(base):
    sockets = {}
    listeners = []
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode():
        command, name, *rest = line.rstrip("\n").split(" ", 2)
        if command == "connect":
            user = rest[0] if rest else ""
            url = base + "/?" + urllib.parse.urlencode({"user_id": user}) if user else base + "/"
            try:
                socket = await websockets.connect(url, max_size=None)
            except websockets.InvalidStatus as error:
                emit(event="refused", name=name, status=error.response.status_code)
                continue
            sockets[name] = socket
            emit(event="connected", name=name)
            listeners.append(asyncio.create_task(listen(name, socket)))
        elif command == "send":
            await sockets[name].send(rest[0] if rest else "")
        elif command == "sendlong":
            await sockets[name].send("x" * int(rest[0]))
        elif command == "ping":
            await (await sockets[name].ping())
            emit(event="pong", name=name)
        elif command == "close":
            await sockets[name].close()
        elif command == "abort":
            sockets[name].transport.abort()
    for socket in sockets.values():
        await socket.close()
    await asyncio.gather(*listeners, return_exceptions=True)


asyncio.run(main(sys.argv[1]))
