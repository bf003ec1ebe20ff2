"""The dev gateway at scale: N idle WebSocket clients, then one 1 KB broadcast through POST /publish.

usage: bench_gateway.py GATEWAY_URL GATEWAY_PID CONNECTIONS

Prints one JSON line: connections, seconds to connect them all, the gateway's RSS before and
after connecting (MB), seconds from the publish to its report, seconds until every client
had the message, delivered count, and the gateway's peak RSS.
"""
import asyncio
import json
import os
import sys
import time
import urllib.request

import websockets


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


async def main(url, pid, count):
    ws_url = "ws" + url[4:]
    idle_rss = rss_mb(pid)
    received = 0
    everyone = asyncio.Event()
    payload = json.dumps({"type": "bench", "pad": "x" * 990})

    semaphore = asyncio.Semaphore(200)

    async def client(index, ready):
        nonlocal received
        async with semaphore:
            socket = await websockets.connect(f"{ws_url}/?user_id=user{index}", open_timeout=120, ping_interval=None)
        ready.set_result(None)
        message = await socket.recv()
        assert message == payload, message
        received += 1
        if received == count:
            everyone.set()

    started = time.monotonic()
    readies = [asyncio.get_running_loop().create_future() for _ in range(count)]
    tasks = [asyncio.create_task(client(index, ready)) for index, ready in enumerate(readies)]
    await asyncio.gather(*readies)
    connect_seconds = time.monotonic() - started
    connected_rss = rss_mb(pid)

    body = json.dumps({"data": json.loads(payload)}).encode()
    publish_started = time.monotonic()
    loop = asyncio.get_running_loop()
    request = urllib.request.Request(url + "/publish", data=body, headers={"Content-Type": "application/json"})
    answer = await loop.run_in_executor(None, lambda: json.load(urllib.request.urlopen(request, timeout=600)))
    report_seconds = time.monotonic() - publish_started
    await asyncio.wait_for(everyone.wait(), 600)
    delivered_seconds = time.monotonic() - publish_started
    print(json.dumps({
        "connections": count, "connect_seconds": round(connect_seconds, 2),
        "idle_rss_mb": round(idle_rss, 1), "connected_rss_mb": round(connected_rss, 1),
        "report_seconds": round(report_seconds, 3), "all_received_seconds": round(delivered_seconds, 3),
        "delivered": answer["reports"][0]["delivered"], "peak_rss_mb": round(rss_mb(pid, "VmHWM"), 1),
    }))
    sys.stdout.flush()
    os._exit(0)  # leave the sockets to the gateway's own cleanup


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
