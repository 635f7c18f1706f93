# A tiny ASGI app for the hypercorn interop tests: WebSocket echo and plain HTTP.
#
# How this works: hypercorn serves it (`hypercorn hypercorn_app:app`), over HTTP/2 (h2c by
# prior knowledge, or h2 over TLS) WebSockets come as RFC 8441 extended CONNECT streams.
# HTTP requests get "hello from PATH over HTTP/VERSION". A WebSocket accepts the
# subprotocol "chat.v1" when offered and echoes text and binary messages; the text
# "whoami" answers "HTTP/VERSION PATH", and "close CODE REASON" makes the server close.


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        while True:
            event = await receive()
            if not event.get("more_body", False):
                break
        body = f"hello from {scope['path']} over HTTP/{scope['http_version']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        event = await receive()
        if event["type"] != "websocket.connect":
            return
        offered = scope.get("subprotocols") or []
        await send({"type": "websocket.accept", "subprotocol": "chat.v1" if "chat.v1" in offered else None})
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            text = event.get("text")
            if text == "whoami":
                await send({"type": "websocket.send", "text": f"HTTP/{scope['http_version']} {scope['path']}"})
            elif text is not None and text.startswith("close "):
                _, code, reason = text.split(" ", 2)
                await send({"type": "websocket.close", "code": int(code), "reason": reason})
                return
            elif text is not None:
                await send({"type": "websocket.send", "text": text})
            else:
                await send({"type": "websocket.send", "bytes": event.get("bytes") or b""})
