"""Slow clients against a running bubbla (issue 10, fault 3).

Starts ./target/release/bubbla on 127.0.0.1:PORT with a fresh data folder,
measures the median latency of /healthz and an incognito /search (50 each),
then holds 300 connections that sent half their headers, measures again,
and counts how many the server closes (header-read timeout, 10 s).
Bounded: 200 requests and 300 connections, all to 127.0.0.1.

    cargo build --release && python3 benches/slow_clients.py [PORT]
"""
import socket, time, statistics, subprocess, tempfile, sys, urllib.request
port=int(sys.argv[1]) if len(sys.argv) > 1 else 18741
d=tempfile.mkdtemp()
p=subprocess.Popen(["./target/release/bubbla","serve","--addr",f"127.0.0.1:{port}","--data-dir",d],stderr=subprocess.DEVNULL)
for _ in range(100):
    try:
        if b'"ready"' in urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read(): break
    except Exception: pass
    time.sleep(0.2)
def lat(path,n=50):
    xs=[]
    for _ in range(n):
        t=time.perf_counter(); urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read(); xs.append((time.perf_counter()-t)*1000)
    return statistics.median(xs)
base=(lat("/healthz"),lat("/search?q=varg&viewer=incognito"))
held=[]
for _ in range(300):
    s=socket.create_connection(("127.0.0.1",port)); s.send(b"GET / HTTP/1.1\r\nHost: x\r\n"); held.append(s)
loaded=(lat("/healthz"),lat("/search?q=varg&viewer=incognito"))
t=time.time(); closed=0
for s in held:
    s.settimeout(30)
    try:
        if s.recv(10)==b"" : closed+=1
    except Exception: pass
print(f"baseline median ms: healthz {base[0]:.2f}, search {base[1]:.2f}")
print(f"300 half-sent connections held: healthz {loaded[0]:.2f}, search {loaded[1]:.2f} (ratio {loaded[0]/base[0]:.2f}, {loaded[1]/base[1]:.2f})")
print(f"closed by the server: {closed}/300 within {time.time()-t:.1f} s after the measurement")
p.terminate()
