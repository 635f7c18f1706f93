// Test certificates, generated at run time with the openssl CLI into a temporary folder
// (no private key is ever committed), once per process.
//
// A root CA and an intermediate CA (EC P-256, fast) sign a set of server certificates, one
// per case of the TLS verification matrix. Each entry gives the PEM text and the file paths;
// `cert` is what a server should present (for `chained`, the leaf followed by the
// intermediate). The folder is removed when the process exits.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One certificate with its key, as PEM text and as files. */
export interface CertEntry {
  /** PEM the server presents (leaf, or leaf + intermediate for `chained`). */
  cert: string;
  /** PEM private key. */
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestCerts {
  dir: string;
  /** Self-signed root CA. */
  rootCA: CertEntry;
  /** Intermediate CA signed by the root. */
  intermediateCA: CertEntry;
  /** localhost, 127.0.0.1 and ::1 (IP SANs), signed by the root. */
  valid: CertEntry;
  /** Like `valid` but expired in 2020. */
  expired: CertEntry;
  /** Like `valid` but valid only from 2099. */
  notYetValid: CertEntry;
  /** For other.test only. */
  otherHost: CertEntry;
  /** For *.example.test. */
  wildcard: CertEntry;
  /** Self-signed localhost certificate (not from the root). */
  selfSigned: CertEntry;
  /** localhost + 127.0.0.1, signed by the intermediate; `cert` holds leaf + intermediate. */
  chained: CertEntry;
  /** IP SANs 127.0.0.1 and ::1 only, no DNS name. */
  ipOnly: CertEntry;
  /** No subjectAltName at all, CN=localhost. */
  cnOnly: CertEntry;
  /** A client certificate (CN=mint-http client, clientAuth), signed by the root. */
  client: CertEntry;
}

let cached: TestCerts | undefined;

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

const CA_CONF = `
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = index.txt
serial = serial.txt
new_certs_dir = newcerts
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

/** Generates (once per process) and returns the test certificates. */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "mint-http-certs-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "ca.cnf"), CA_CONF);
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial.txt"), "1000\n");
  execFileSync("mkdir", ["-p", join(dir, "newcerts")]);

  const key = (name: string) => openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`], dir);
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  const entry = (name: string, certFile = `${name}.crt`): CertEntry => ({
    cert: read(certFile),
    key: read(`${name}.key`),
    certPath: join(dir, certFile),
    keyPath: join(dir, `${name}.key`),
  });

  // Root CA, self-signed.
  key("root");
  openssl(["req", "-config", "ca.cnf", "-new", "-x509", "-key", "root.key", "-subj", "/CN=mint-http Test Root CA", "-days", "3650", "-extensions", "v3_ca", "-out", "root.crt"], dir);

  // Signs `name.key` with the CA `issuer` using `openssl ca` (which can set past and future dates).
  const sign = (name: string, cn: string, issuer: string, ext: string, dates: { start?: string; end?: string; days?: number } = {}) => {
    key(name);
    openssl(["req", "-config", "ca.cnf", "-new", "-key", `${name}.key`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), `[ ext ]\n${ext}\n`);
    const args = ["ca", "-batch", "-config", "ca.cnf", "-notext", "-cert", `${issuer}.crt`, "-keyfile", `${issuer}.key`,
      "-in", `${name}.csr`, "-out", `${name}.crt`, "-extfile", `${name}.ext`, "-extensions", "ext"];
    if (dates.start) args.push("-startdate", dates.start);
    if (dates.end) args.push("-enddate", dates.end);
    if (!dates.start && !dates.end) args.push("-days", String(dates.days ?? 825));
    openssl(args, dir);
  };
  const leafExt = (san?: string) =>
    ["basicConstraints = critical,CA:false", "keyUsage = critical,digitalSignature", "extendedKeyUsage = serverAuth",
      "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid", ...(san ? [`subjectAltName = ${san}`] : [])].join("\n");

  sign("intermediate", "mint-http Test Intermediate CA", "root",
    "basicConstraints = critical,CA:true,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always", { days: 3650 });
  const localSan = "DNS:localhost,IP:127.0.0.1,IP:::1";
  sign("valid", "localhost", "root", leafExt(localSan));
  sign("expired", "localhost", "root", leafExt(localSan), { start: "20190101000000Z", end: "20200101000000Z" });
  sign("notyet", "localhost", "root", leafExt(localSan), { start: "20990101000000Z", end: "21000101000000Z" });
  sign("other", "other.test", "root", leafExt("DNS:other.test"));
  sign("wildcard", "*.example.test", "root", leafExt("DNS:*.example.test"));
  sign("iponly", "127.0.0.1", "root", leafExt("IP:127.0.0.1,IP:::1"));
  sign("cnonly", "localhost", "root", leafExt());
  sign("client", "mint-http client", "root", leafExt().replace("serverAuth", "clientAuth"));
  sign("chained", "localhost", "intermediate", leafExt("DNS:localhost,IP:127.0.0.1"));
  writeFileSync(join(dir, "chained-full.crt"), read("chained.crt") + read("intermediate.crt"));

  key("selfsigned");
  writeFileSync(join(dir, "selfsigned.cnf"), `${CA_CONF}\n[ ext ]\n${leafExt(localSan).replace("keyid", "keyid:always")}\n`);
  openssl(["req", "-config", "selfsigned.cnf", "-new", "-x509", "-key", "selfsigned.key", "-subj", "/CN=localhost", "-days", "825",
    "-extensions", "ext", "-out", "selfsigned.crt"], dir);

  cached = {
    dir,
    rootCA: entry("root"),
    intermediateCA: entry("intermediate"),
    valid: entry("valid"),
    expired: entry("expired"),
    notYetValid: entry("notyet"),
    otherHost: entry("other"),
    wildcard: entry("wildcard"),
    selfSigned: entry("selfsigned"),
    chained: entry("chained", "chained-full.crt"),
    ipOnly: entry("iponly"),
    cnOnly: entry("cnonly"),
    client: entry("client"),
  };
  return cached;
}
