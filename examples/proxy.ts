// Going through an HTTP proxy. An https target is reached through a CONNECT tunnel: the
// proxy only relays bytes, and TLS (with ALPN, so HTTP/2 when the origin offers it) runs
// end to end with the origin. An http target would go to the proxy in absolute form.
//
// This example starts both a CONNECT proxy that wants credentials and an HTTPS origin with
// a self-signed certificate (made with openssl), all on 127.0.0.1.
//
//   npx tsx examples/proxy.ts
//
// In your own code, import from "mint-http" instead of "../src/index.js".

import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { basicProxyAuth, connect, type ResponsePart } from "../src/index.js";
import { localCert } from "./local-cert.js";

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

async function main(): Promise<void> {
  const { cert, key } = localCert();
  const origin = http2.createSecureServer({ cert, key, allowHTTP1: true }, (req, res) => {
    res.end(`hello through the tunnel, over HTTP/${req.httpVersion === "2.0" ? "2" : req.httpVersion}`);
  });
  const originPort = await listen(origin);

  // A minimal CONNECT proxy that checks Basic credentials and relays bytes.
  const tunnels = new Set<net.Socket>();
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req: http.IncomingMessage, client: net.Socket) => {
    tunnels.add(client);
    if (req.headers["proxy-authorization"] !== basicProxyAuth("demo", "secret")[1]) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    console.log(`proxy: CONNECT ${req.url}`);
    const [, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\nvia: example-proxy\r\n\r\n");
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);

  const conn = await connect("https", "localhost", originPort, {
    transportOpts: { cacerts: [cert] },
    proxy: { scheme: "http", address: "127.0.0.1", port: proxyPort },
    proxyHeaders: [basicProxyAuth("demo", "secret")],
  });
  console.log(`tunnel open; the proxy answered with headers ${JSON.stringify(conn.getProxyHeaders())}`);
  console.log(`protocol with the origin: ${conn.protocol}`);

  const ref = conn.request("GET", "/", [], null);
  let body = "";
  await new Promise<void>((resolve, reject) => {
    conn.on("parts", (parts: ResponsePart[]) => {
      for (const part of parts) {
        if (part.ref !== ref) continue;
        if (part.type === "status") console.log(`status ${part.status}`);
        if (part.type === "data") body += Buffer.from(part.data).toString("utf8");
        if (part.type === "error") reject(part.error);
        if (part.type === "done") resolve();
      }
    });
  });
  console.log(`body: ${body}`);
  await conn.close();

  // Wrong credentials: the proxy's 407 becomes an HTTPError with reason "unexpected_status".
  try {
    await connect("https", "localhost", originPort, {
      transportOpts: { cacerts: [cert] },
      proxy: { scheme: "http", address: "127.0.0.1", port: proxyPort },
      proxyHeaders: [basicProxyAuth("demo", "wrong")],
    });
  } catch (err) {
    const e = err as { name: string; reason: string; details?: Record<string, unknown> };
    console.log(`with wrong credentials: ${e.name} ${e.reason} (status ${String(e.details?.status)})`);
  }

  for (const s of tunnels) s.destroy();
  proxy.close();
  origin.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
