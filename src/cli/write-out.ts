// `-w/--write-out FORMAT`: curl's %{variable} substitutions after each transfer.

/** What one transfer measured; times in seconds since the transfer began. */
export interface TransferInfo {
  httpCode: number;
  httpVersion: string;
  timeConnect: number;
  timeAppconnect: number;
  timeStarttransfer: number;
  timeTotal: number;
  sizeDownload: number;
  remoteIp: string;
  remotePort: number;
  numConnects: number;
  numRedirects: number;
  urlEffective: string;
}

/** A TransferInfo before anything happened: curl's values for a transfer that failed early. */
export function emptyInfo(url: URL): TransferInfo {
  return {
    httpCode: 0, httpVersion: "0", timeConnect: 0, timeAppconnect: 0, timeStarttransfer: 0, timeTotal: 0,
    sizeDownload: 0, remoteIp: "", remotePort: 0, numConnects: 0, numRedirects: 0, urlEffective: url.href,
  };
}

/** FORMAT with its variables and escapes replaced; unknown variables become empty, as in curl. */
export function writeOut(format: string, info: TransferInfo): string {
  const values: Record<string, string> = {
    http_code: String(info.httpCode).padStart(3, "0"),
    response_code: String(info.httpCode).padStart(3, "0"),
    http_version: info.httpVersion,
    time_connect: seconds(info.timeConnect),
    time_appconnect: seconds(info.timeAppconnect),
    time_starttransfer: seconds(info.timeStarttransfer),
    time_total: seconds(info.timeTotal),
    size_download: String(info.sizeDownload),
    remote_ip: info.remoteIp,
    remote_port: info.remotePort === 0 ? "" : String(info.remotePort),
    num_connects: String(info.numConnects),
    num_redirects: String(info.numRedirects),
    url_effective: info.urlEffective,
  };
  return format.replace(/%\{([a-z_]+)\}|%%|\\[nrt\\]/g, (m: string, name: string | undefined) => {
    if (name !== undefined) return values[name] ?? "";
    if (m === "%%") return "%";
    return { "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\\\": "\\" }[m] ?? m;
  });
}

function seconds(s: number): string {
  return s.toFixed(6);
}
