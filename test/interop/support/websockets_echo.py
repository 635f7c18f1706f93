# A WebSocket echo server on python3-websockets (10.x) for the interop tests.
#
# How this works: `python3 websockets_echo.py PORT` listens on 127.0.0.1:PORT with
# permessage-deflate and the subprotocols "chat.v2" and "chat.v1", prints "ready", and
# echoes every text and binary message as it came. A few text messages are commands:
#   "whoami"           -> "<path> <subprotocol> <extensions>" as the server sees them
#   "close CODE REASON" -> the server closes with that code and reason
import asyncio
import sys

import websockets


async def handler(ws, path=None):
    path = path if path is not None else ws.path
    async for msg in ws:
        if isinstance(msg, str) and msg == "whoami":
            names = ",".join(e.name for e in ws.extensions)
            await ws.send(f"{path} {ws.subprotocol or '-'} {names or '-'}")
        elif isinstance(msg, str) and msg.startswith("close "):
            _, code, reason = msg.split(" ", 2)
            await ws.close(int(code), reason)
            return
        else:
            await ws.send(msg)


async def main(port):
    async with websockets.serve(
        handler,
        "127.0.0.1",
        port,
        subprotocols=["chat.v2", "chat.v1"],
        compression="deflate",
        max_size=64 * 1024 * 1024,
    ):
        print("ready", flush=True)
        await asyncio.Future()


asyncio.run(main(int(sys.argv[1])))
