// The text of `mint-http --help`, options grouped as curl's manual groups them.

export const HELP = `Usage: mint-http [options] URL...
       mint-http load [options] URL     (see mint-http load --help)

Fetches each URL and writes the response body to stdout. Several URLs share connections
(HTTP/1.1 keep-alive, HTTP/2 multiplexing); with -Z they run at the same time.

Request:
  -X, --request METHOD     request method (default GET, HEAD with -I, POST with a body)
  -H, --header 'N: V'      add a request header (repeatable); 'N:' removes a default one
  -d, --data DATA          send DATA as the body (several -d are joined with '&'; @FILE
                           reads a file); also --data-ascii
      --data-raw DATA      the same, '@' has no special meaning
      --data-binary @FILE  stream FILE as the body; DATA without @ is sent as is
      --json DATA          JSON body: content-type and accept application/json, POST
  -u, --user USER[:PASS]   Basic authentication; without ':PASS' the password is asked for
                           on the terminal (or read from the first line of stdin without one)
  -A, --user-agent TEXT    user-agent header (default mint-http/VERSION)
  -e, --referer URL        referer header
  -I, --head               HEAD request; print the response head only
      --compressed         ask for gzip, deflate or br and decode the body

Redirects and retries:
  -L, --location           follow redirects (3xx with a location); Authorization and Cookie
                           are not sent to another origin
      --location-trusted   -L, and send Authorization and Cookie to every origin redirected to
      --max-redirs N       at most N redirects (default 50, -1 for no limit); exit 47 beyond
      --post301, --post302, --post303
                           keep POST (and its body) across that redirect (default: GET)
      --retry N            retry a transient failure N times: a timeout (-m included), HTTP
                           408, 429, 500, 502, 503, 504 (waits 1 s, then doubles up to 10 min)
      --retry-delay S      wait S seconds between retries instead (0: the default backoff);
                           a longer Retry-After from the server wins
      --retry-max-time S   start no retry after S seconds since the first attempt (0: no limit)
      --retry-connrefused  with --retry, a refused connection is transient too
      --retry-all-errors   with --retry, every failure is transient (with -f, a status >= 400 too)

Connection:
      --http1.1            use HTTP/1.1 only
      --http2              use HTTP/2 only (over http: prior knowledge, h2c)
      --http2-prior-knowledge
                           the same, under curl's name
      --resolve H:P:ADDR   connect to ADDR for host H port P (P may be *)
      --connect-to H1:P1:H2:P2
                           connect to H2:P2 for requests to H1:P1 (empty parts match any / keep)
  -x, --proxy URL          go through an HTTP proxy (http://[user:password@]host:port);
                           https URLs are tunnelled with CONNECT
      --cacert FILE        trust the CA certificates in the PEM FILE
  -k, --insecure           do not verify the server certificate
  -Z, --parallel           run the URLs at the same time
      --connect-timeout S  give up connecting after S seconds
  -m, --max-time S         give up on a transfer after S seconds (exit 28; retried by --retry)

Output:
  -o, --output FILE        write the body to FILE (progress on stderr when it is a terminal);
                           each -o goes with one URL, in order
  -i, --include            print the status line and headers before the body
  -v, --verbose            connection (and which one each request used), TLS, headers, timings on stderr
  -s, --silent             no progress and no error messages
  -S, --show-error         with -s, still print error messages
  -f, --fail               exit 22 on a status >= 400, without writing the body
      --fail-with-body     exit 22 on a status >= 400, after writing the body
  -w, --write-out FORMAT   print FORMAT after each transfer: %{http_code} %{http_version}
                           %{time_connect} %{time_appconnect} %{time_starttransfer}
                           %{time_total} %{size_download} %{remote_ip} %{num_connects}
                           %{url_effective} %{num_redirects}, and \\n \\r \\t %%
  -h, --help               show this help
  -V, --version            show the version

Exit status (curl's): 0 when a response was received, 2 for a bad command line, 6 host
not found, 7 connection refused, 22 a status >= 400 with -f, 28 timeout, 35 TLS failure,
47 too many redirects, 56 failure receiving data, 60 certificate not trusted, 1 for other
failures; the reason is printed on stderr. With several URLs, the last failure's status.
`;
