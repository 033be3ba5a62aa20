#!/usr/bin/env python3
"""The demo server measured as a user sees it (called by scripts/measure-demo).

Usage: measure_demo.py HOST HTTPS_PORT ADMIN_PASSWORD N SEQ
Pauses queue "default", submits N "noop" tasks over REST from 8 client threads (one kept-alive
HTTPS connection each), resumes the queue and times the drain (until nothing is ready or running
and N more tasks completed), then times SEQ submits from one sequential client. Prints one JSON
line per measurement.
"""
import base64
import http.client
import json
import ssl
import sys
import threading
import time

host, port, password, n, seq = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
CLIENTS = 8
# The demo server's certificate is self-signed (scripts/run generates it): trusted for this loopback check only.
context = ssl._create_unverified_context()
auth = 'Basic ' + base64.b64encode(('admin:' + password).encode()).decode()


def connect():
    return http.client.HTTPSConnection(host, port, context=context, timeout=30)


def call(conn, method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={'Content-Type': 'application/json', 'Accept': 'application/json', 'Authorization': auth})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit('%s %s answered %d: %s' % (method, path, response.status, data[:300]))
    return json.loads(data) if data else None


def submit(count):
    conn = connect()
    for _ in range(count):
        call(conn, 'POST', '/api/tasks', {'type': 'noop', 'payload': None})


admin = connect()
call(admin, 'POST', '/api/queues/default/pause', {})
started = time.time()
threads = [threading.Thread(target=submit, args=(n // CLIENTS,)) for _ in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
submitted = time.time() - started
completed_before = call(admin, 'GET', '/api/queues/default')['completed']
print(json.dumps({'measure': 'rest_submits', 'clients': CLIENTS, 'tasks': n // CLIENTS * CLIENTS,
                  'per_s': round(n // CLIENTS * CLIENTS / submitted)}))
call(admin, 'POST', '/api/queues/default/resume', {})
started = time.time()
first_done = None
while True:
    q = call(admin, 'GET', '/api/queues/default')
    if first_done is None and q['completed'] > completed_before:
        first_done = time.time() - started
    if q['ready'] == 0 and q['running'] == 0 and q['completed'] - completed_before >= n // CLIENTS * CLIENTS:
        break
    time.sleep(0.02)
drained = time.time() - started
# first_done_s: from the resume to the first task seen done (within the 20 ms poll): how long the
# servers took to notice the resume. per_s_after_first: the drain's rate from then on.
print(json.dumps({'measure': 'drain', 'tasks': n // CLIENTS * CLIENTS, 'seconds': round(drained, 2),
                  'per_s': round(n // CLIENTS * CLIENTS / drained),
                  'first_done_s': None if first_done is None else round(first_done, 3),
                  'per_s_after_first': None if first_done is None
                  else round(n // CLIENTS * CLIENTS / max(drained - first_done, 1e-3))}))
one = connect()
started = time.time()
for _ in range(seq):
    call(one, 'POST', '/api/tasks', {'type': 'noop', 'payload': None})
took = time.time() - started
print(json.dumps({'measure': 'sequential_rest_submits', 'tasks': seq, 'per_s': round(seq / took),
                  'ms_per_request': round(took * 1000 / seq, 2)}))
