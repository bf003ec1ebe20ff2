"""A DynamoDB stand-in's HTTP side, shared by the benchmark (bench_dynamo.py) and the scale
simulation (scale_sim.py): reads each request on a kept-alive connection and answers the
JSON its `answer(target, request)` returns, where `target` is the X-Amz-Target header
(`DynamoDB_20120810.Scan`, …) and `request` the decoded body."""
import asyncio
import json


def handler(answer):
    """An asyncio connection handler answering every request with `answer`."""
    async def serve(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ":" in line)}
                request = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))) or b"{}")
                body = json.dumps(answer(headers.get("x-amz-target", ""), request), separators=(",", ":")).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
    return serve


async def start(answer):
    """Listens on 127.0.0.1, port 0; returns the server (its port: server.sockets[0].getsockname()[1])."""
    return await asyncio.start_server(handler(answer), "127.0.0.1", 0, backlog=1024)
