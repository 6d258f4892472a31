#!/bin/sh
# Public survey submissions, each durable (committed with fsync) before its
# thank-you is sent: SENDIASS enquiries are opened and closed through the
# API (survey delay 0 days here), the desk's sweep queues one invitation
# each, and their one-time links (read from the outbox the desk wrote, as
# the mail would carry them) are answered by 8 browsers at once, each
# POST of the plain HTML form. Prints `name: value unit`.
set -eu
charter=${1:-build/charter}
n=${BENCH_SURVEYS:-1000}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/desk"
sed 's/delay: 2 days/delay: 0 days/' policies/sendiass.yaml >"$tmp/desk/sendiass.yaml"
"$charter" serve --db "$tmp/charter.db" --listen 127.0.0.1:0 --policy "$tmp/desk/sendiass.yaml" \
    --sweep-seconds 1 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
base=
for _ in $(seq 1 200); do
    base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/serve.out" 2>/dev/null)
    [ -n "$base" ] && break
    sleep 0.05
done
[ -n "$base" ] || { echo "bench: the server did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }
token=$("$charter" admin token --db "$tmp/charter.db" --email admin@charter.local)
/usr/bin/python3 - "$base" "$token" "$tmp/charter.db" "$n" <<'EOF'
import http.client, json, re, sqlite3, sys, threading, time, urllib.parse
base, token, db, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host = urllib.parse.urlparse(base)
def conn():
    return http.client.HTTPConnection(host.hostname, host.port, timeout=60)
api = conn()
def call(method, path, body=None, etag=None):
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    api.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = api.getresponse()
    data = json.loads(r.read())
    if r.status >= 300:
        sys.exit("bench: %s %s: %s %s" % (method, path, r.status, data))
    return data, r.getheader("ETag")
for i in range(n):
    case, etag = call("POST", "/api/v1/cases", {"service": "sendiass/enquiries", "channel": "phone",
        "subject": "EHCP review %d" % i, "requester": {"name": "Parent %d" % i, "email": "p%d@parent.example" % i}})
    settle = [{"obligation": o["id"], "outcome": "met", "reason": "Answered by phone."}
              for o in case["obligations"] if o["state"] == "pending"]
    call("PATCH", "/api/v1/cases/%d" % case["id"], {"status": "closed", "settle": settle}, etag)
links = []
deadline = time.time() + 120
while len(links) < n and time.time() < deadline:
    time.sleep(0.5)
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as c:
        rows = c.execute("SELECT raw FROM outbox WHERE purpose = 'survey'").fetchall()
    links = [m.group(1) for (raw,) in rows
             for m in [re.search(rb"(/public/sendiass/survey/[0-9a-f]{32})", raw.replace(b"=\r\n", b""))] if m]
if len(links) < n:
    sys.exit("bench: only %d of %d invitations were queued" % (len(links), n))
lock = threading.Lock()
failures = []
def worker(mine):
    c = conn()
    for k, path in mine:
        body = "rating=%d&comment=%s" % (k % 5 + 1, urllib.parse.quote_plus("Answer number %d, thank you." % k))
        c.request("POST", path.decode(), body, {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        page = r.read()
        if r.status != 200 or b"Thank you for your answer" not in page:
            with lock:
                failures.append(r.status)
items = list(enumerate(links))
threads = [threading.Thread(target=worker, args=(items[t::8],)) for t in range(8)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
took = time.time() - t0
if failures:
    sys.exit("bench: %d submissions failed (%s)" % (len(failures), failures[:5]))
with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as c:
    kept = c.execute("SELECT count(*) FROM survey_responses").fetchone()[0]
if kept != n:
    sys.exit("bench: %d answers thanked but %d kept" % (n, kept))
print("survey_submit_per_s: %.0f answers/s (%d one-time links answered by 8 concurrent clients,"
      " each POST of the public form committed with fsync on SQLite before its thank-you)" % (n / took, n))
EOF
