"""Slow and malformed clients against a running desk, on loopback.

SLOW connections (500 unless given) from this one client trickle a request
head a header at a time for the run's length, while normal requests are made twice a second;
every normal request must be answered. Meanwhile one more client trickles
a header every second: the server must close it once the head's deadline
(15 s) has passed, not let each line restart its idle timeout. Then a body
declared as 10 GB, a bare "GET" line, an absurd chunk size and a TLS hello
on the plain port must each get an answer or a prompt close. Prints what
it measured, and exits 1 with the reason when something was not answered.

Usage: python3 slow_clients.py HOST PORT SECONDS [SLOW]
"""
import socket
import ssl
import sys
import threading
import time
import urllib.request

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
SLOW = int(sys.argv[4]) if len(sys.argv) > 4 else 500
failures = []


def slow_client(stop):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n")
        while not stop.is_set():
            stop.wait(5)
            s.sendall(b"X-Slow: still here\r\n")
    except OSError:
        pass  # the server may close a slow client: that is its right
    finally:
        try:
            s.close()
        except Exception:
            pass


HEAD_DEADLINE = 15
trickle_closed = []


def trickler():
    """One header line a second; notes when the server closes the socket."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n")
        while time.monotonic() - t0 < HEAD_DEADLINE + 10:
            time.sleep(1)
            s.sendall(b"X-Trickle: one more line\r\n")
        trickle_closed.append(None)  # still open: the deadline did not hold
    except OSError:
        trickle_closed.append(time.monotonic() - t0)


trickle = threading.Thread(target=trickler, daemon=True)
trickle.start()
stop = threading.Event()
slow = [threading.Thread(target=slow_client, args=(stop,), daemon=True) for _ in range(SLOW)]
for t in slow:
    t.start()
time.sleep(2)  # let them all connect

answered, worst, count = 0, 0.0, int(seconds * 2)
for i in range(count):
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=10) as r:
            if r.status == 200:
                answered += 1
    except Exception as e:
        failures.append(f"normal request {i + 1}: {e}")
    worst = max(worst, time.monotonic() - t0)
    time.sleep(max(0.0, 0.5 - (time.monotonic() - t0)))
stop.set()
print(f"slow_clients: {SLOW}; normal_answered: {answered} of {count}; worst_latency_ms: {worst * 1000:.0f}")


def exchange(data, what, want=None):
    """Sends data; the server must answer (with want in the first line) or
    close within 5 seconds."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(data)
        reply = s.recv(200)
        s.close()
    except socket.timeout:
        failures.append(f"{what}: neither answered nor closed in 5 s")
        return
    except OSError:
        reply = b""  # closed: a prompt close is an answer too
    took = (time.monotonic() - t0) * 1000
    first = reply.split(b"\r\n")[0].decode("latin-1")
    if want and want not in first:
        failures.append(f"{what}: answered {first!r}, wanted {want}")
    print(f"{what}: {first or 'closed'} in {took:.0f} ms")


exchange(b"POST /api/v1/session HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n"
         b"Content-Length: 10737418240\r\n\r\n{", "a 10 GB body", "413")
exchange(b"GET\r\n\r\n", "a bare GET line")
exchange(b"POST /api/v1/session HTTP/1.1\r\nHost: desk\r\nTransfer-Encoding: chunked\r\n"
         b"Content-Type: application/json\r\n\r\nfffffffffffffffffffffff\r\n", "an absurd chunk size")
# A real TLS client's first flight, as a browser sends it to https:// on
# the plain port by mistake.
ctx = ssl.create_default_context()
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing, server_hostname="desk.example")
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
exchange(outgoing.read(), "a TLS hello on the plain port")

trickle.join()
took = trickle_closed[0] if trickle_closed else None
if took is None:
    failures.append(f"a head trickled a line a second was still open after {HEAD_DEADLINE + 10} s")
elif took > HEAD_DEADLINE + 3:
    failures.append(f"a trickled head was closed only after {took:.0f} s")
else:
    print(f"trickled_head_closed_after_s: {took:.1f} s")
if answered != count:
    failures.append(f"only {answered} of {count} normal requests were answered")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
