/** The command line's help texts, one per command. */
export const usage = {
  call: `usage: havip call --snapshot FILE [--out FILE | --write] QUERY...

Applies each query (Action=AssociateHaVip&Version=2020-04-01&...) to the state the previous one
left and prints one Volcengine response body per line. A QUERY may start with ? or /?; - reads
queries from standard input, one a line.

  --snapshot FILE  the snapshot to start from (JSON, CONTRACT §2)
  --out FILE       save the final snapshot to FILE, only if every request succeeded
  --write          save it back to the --snapshot file, likewise

Exit: 0 every request succeeded, 1 an API error, 2 a usage error or a snapshot that does not load.`,
  check: `usage: havip check --snapshot FILE [--json] QUERY...

Says, for each query in order, whether it would succeed and every reason it would not: the error
id, code, HTTP status, English and Chinese messages, and the facts behind it. Saves nothing.

  --snapshot FILE  the snapshot to check against
  --json           one JSON object per query and line instead of text

Exit: 0 every query would succeed, 1 one would not, 2 a usage error or a snapshot that does not load.`,
  serve: `usage: havip serve --snapshot FILE [--host HOST] [--port PORT] [--access-key AK --secret-key SK]

Serves AssociateHaVip, DisassociateHaVip and DescribeHaVips over HTTP as the Volcengine OpenAPI
does (GET /?Action=...&Version=2020-04-01&..., or POST with a form or JSON body). Every change is
saved to the snapshot file, atomically, before its response is sent. One line a request on stderr.

  --snapshot FILE    the state to serve, and where its changes go
  --host HOST        the address to listen on (default 127.0.0.1)
  --port PORT        the port (default 8080; 0 picks a free one); the address is printed on stdout
  --access-key AK    with --secret-key (or VOLC_ACCESSKEY and VOLC_SECRETKEY): every request must
  --secret-key SK    carry the vendor's HMAC-SHA256 signature; without them, none is checked

SIGINT or SIGTERM: stop accepting, finish the request in flight, exit 0.`,
  top: `usage: havip call  --snapshot FILE [--out FILE | --write] QUERY...
       havip check --snapshot FILE [--json] QUERY...
       havip serve --snapshot FILE [--host HOST] [--port PORT] [--access-key AK --secret-key SK]
       havip COMMAND --help`,
} as const
