// Helper for the examples: a throwaway self-signed certificate for localhost and 127.0.0.1,
// made with the openssl command into a temporary folder (removed at exit).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalCert {
  /** PEM certificate: give it to the server, and to the client as a trusted CA. */
  cert: string;
  /** PEM private key for the server. */
  key: string;
}

export function localCert(): LocalCert {
  const dir = mkdtempSync(join(tmpdir(), "mint-http-example-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
}
