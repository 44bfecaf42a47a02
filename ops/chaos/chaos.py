#!/usr/bin/env python3
"""chaos.py -- the client and the counter of mailflow's fault drills (ops/chaos/*.sh).

  send    SMTP load with unique Message-IDs; writes every Message-ID that got 250 after DATA (acknowledged),
          with the recipients the server accepted, and a timeline of replies (epoch, code)
  count   scans Maildir stores for Message-IDs per mailbox and compares with what was acknowledged:
          acknowledged, delivered, lost (acknowledged, not delivered), duplicated (delivered more than once
          to one mailbox), unacked (delivered though never acknowledged: written, then the reply was lost or 4xx)
          waits up to --settle seconds for losses to clear; exit 1 on any loss or duplicate
  greet   waits until an SMTP server sends its 220 greeting; prints the epoch it came
  first   waits until a Maildir file newer than --after appears; prints its mtime (epoch)
  replies summarises the reply timeline after --since (counts per code, first 4xx, first 250, longest gap)

Standard library only (smtplib), so anyone with python3 can run the drills.
"""
import argparse
import glob
import os
import random
import signal
import smtplib
import socket
import sys
import threading
import time
from collections import Counter, defaultdict
from email.utils import formatdate

STOP = threading.Event()


def _stop(*_):
    STOP.set()


# ------------------------------------------------------------------ send
def send(a):
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    mailboxes = a.mailboxes.split(",")
    lock = threading.Lock()
    acked = open(a.acked, "a", buffering=1)
    events = open(a.events, "a", buffering=1)
    run = "%x%04x" % (int(time.time()), random.getrandbits(16))
    seq = [0]
    counts = Counter()
    deadline = time.time() + a.duration
    interval = a.sessions / a.rate if a.rate > 0 else 0.0

    def note(code, msgid=None, rcpts=None):
        with lock:
            counts[code] += 1
            events.write("%.3f\t%s\n" % (time.time(), code))
            if msgid is not None:
                acked.write("%s\t%s\n" % (msgid, ",".join(rcpts)))

    def next_id():
        with lock:
            seq[0] += 1
            return seq[0]

    def session(n):
        smtp = None
        nxt = time.time()
        while not STOP.is_set() and time.time() < deadline and (a.messages <= 0 or seq[0] < a.messages):
            if interval:
                nxt += interval
                pause = nxt - time.time()
                if pause > 0:
                    STOP.wait(pause)
                else:
                    nxt = time.time()  # behind: do not burst to catch up
            try:
                if smtp is None:
                    smtp = smtplib.SMTP(a.host, a.port, timeout=a.timeout)
                    smtp.ehlo("chaos.test")
                i = next_id()
                msgid = "<%s.%d@chaos.test>" % (run, i)
                k = 2 if random.random() < a.multi else 1
                rcpts = random.sample(mailboxes, min(k, len(mailboxes)))
                body = ("From: drill@chaos.test\r\nTo: %s\r\nSubject: drill %s %d\r\nDate: %s\r\nMessage-ID: %s\r\n\r\n"
                        "fault drill message %d of session %d\r\n" % (", ".join(rcpts), run, i, formatdate(), msgid, i, n))
                refused = smtp.sendmail("drill@chaos.test", rcpts, body)
                ok = [r for r in rcpts if r not in refused]
                note("250", msgid, ok)
            except smtplib.SMTPRecipientsRefused as e:
                codes = {c for c, _ in e.recipients.values()}
                note(str(min(codes)) if codes else "rcpt")
                smtp = _reset(smtp)
            except smtplib.SMTPResponseException as e:
                note(str(e.smtp_code))
                smtp = _close(smtp)  # after a 4xx the server may be going away: start afresh
                STOP.wait(a.backoff)
            except (OSError, smtplib.SMTPException):
                note("conn")  # refused, reset, timed out: the server is down or went away mid-transaction
                smtp = _close(smtp)
                STOP.wait(a.backoff)
        _quit(smtp)

    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(a.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("sent: " + " ".join("%s=%d" % kv for kv in sorted(counts.items())), file=sys.stderr)


def _reset(smtp):
    try:
        smtp.rset()
        return smtp
    except Exception:
        return _close(smtp)


def _close(smtp):
    if smtp is not None:
        try:
            smtp.close()
        except Exception:
            pass
    return None


def _quit(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except Exception:
            _close(smtp)


# ------------------------------------------------------------------ count
def read_acked(path):
    expected = defaultdict(set)  # mailbox -> Message-IDs acknowledged for it
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[1]:
                for rcpt in parts[1].split(","):
                    expected[rcpt.lower()].add(parts[0])
    return expected


def message_id(path):
    """The Message-ID header of a stored message (headers only are read; folded lines joined)."""
    value = None
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                break
            if value is not None:
                if line[:1] in (" ", "\t"):
                    value += line.strip()
                    continue
                break
            if line.lower().startswith("message-id:"):
                value = line.split(":", 1)[1].strip()
    return value


def scan(stores):
    """mailbox -> Counter of Message-IDs in its Maildir new/ and cur/, over all stores."""
    seen = defaultdict(Counter)
    for store in stores:
        for path in glob.glob(os.path.join(store, "**", "Maildir", "*", "*"), recursive=True):
            sub = os.path.basename(os.path.dirname(path))
            if sub not in ("new", "cur"):
                continue
            mailbox = os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(path)))).lower()
            try:
                mid = message_id(path)
            except OSError:
                continue  # moved between glob and open (new/ -> cur/): the next scan sees it
            if mid:
                seen[mailbox][mid] += 1
    return seen


def tally(expected, seen):
    rows = []
    for mb in sorted(set(expected) | set(seen)):
        exp, got = expected.get(mb, set()), seen.get(mb, Counter())
        lost = exp - set(got)
        dups = {m: c for m, c in got.items() if c > 1}
        rows.append((mb, len(exp), len(got), len(lost), sum(c - 1 for c in dups.values()),
                     len(set(got) - exp), sorted(lost)[:3], sorted(dups)[:3]))
    return rows


def count(a):
    expected = read_acked(a.acked)
    t0 = time.time()
    while True:
        rows = tally(expected, scan(a.store))
        if all(r[3] == 0 for r in rows) or time.time() - t0 >= a.settle:
            break
        time.sleep(0.5)
    settled = time.time() - t0
    print("%-28s %12s %10s %6s %11s %8s" % ("mailbox", "acknowledged", "delivered", "lost", "duplicated", "unacked"))
    tot = [0, 0, 0, 0, 0]
    for mb, exp, got, lost, dup, unacked, lost_ids, dup_ids in rows:
        print("%-28s %12d %10d %6d %11d %8d" % (mb, exp, got, lost, dup, unacked))
        for i, v in enumerate((exp, got, lost, dup, unacked)):
            tot[i] += v
        for m in lost_ids:
            print("    lost e.g. %s" % m)
        for m in dup_ids:
            print("    duplicated e.g. %s" % m)
    print("%-28s %12d %10d %6d %11d %8d" % ("TOTAL", *tot))
    print("settle: %.1f s (bound %d s)" % (settled, a.settle))
    if tot[2] or tot[3]:
        print("RESULT: FAIL (%d lost, %d duplicated)" % (tot[2], tot[3]))
        return 1
    if tot[0] == 0:
        print("RESULT: FAIL (nothing was acknowledged: the drill measured nothing)")
        return 1
    print("RESULT: PASS (0 lost, 0 duplicated)")
    return 0


# ------------------------------------------------------------------ greet / first / replies
def greet(a):
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((a.host, a.port), timeout=2) as s:
                s.settimeout(5)
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    print("%.3f" % time.time())
                    return 0
        except OSError:
            pass
        time.sleep(0.1)
    print("no 220 greeting on %s:%d within %d s" % (a.host, a.port, a.timeout), file=sys.stderr)
    return 1


def first(a):
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        best = None
        for store in a.store:
            for path in glob.glob(os.path.join(store, "**", "Maildir", "new", "*"), recursive=True):
                try:
                    m = os.stat(path).st_mtime
                except OSError:
                    continue
                if m > a.after and (best is None or m < best):
                    best = m
        if best is not None:
            print("%.3f" % best)
            return 0
        time.sleep(0.2)
    print("none", file=sys.stdout)
    return 1


def replies(a):
    counts = Counter()
    first_by = {}
    last250 = a.since
    gap = 0.0
    with open(a.events) as f:
        for line in f:
            t, code = line.split()
            t = float(t)
            if t < a.since or (a.until and t > a.until):
                continue
            counts[code] += 1
            cls = code[0] + "xx" if code[0].isdigit() else code
            first_by.setdefault(cls, t)
            if code == "250":
                gap = max(gap, t - last250)
                last250 = t
    end = a.until or time.time()
    gap = max(gap, min(end, time.time()) - last250)  # the gap still open at the end of the window
    print("replies: " + (" ".join("%s=%d" % kv for kv in sorted(counts.items())) or "none"))
    for cls in sorted(first_by):
        print("first %s after %.1f s" % (cls, first_by[cls] - a.since))
    print("longest gap without 250: %.1f s" % gap)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--mailboxes", required=True, help="comma-separated recipient addresses")
    s.add_argument("--acked", required=True, help="file: Message-ID TAB recipients, per 250 after DATA")
    s.add_argument("--events", required=True, help="file: epoch TAB reply code (or conn) per attempt")
    s.add_argument("--duration", type=float, default=30, help="seconds (bound)")
    s.add_argument("--messages", type=int, default=0, help="stop after this many attempts (0: no limit)")
    s.add_argument("--rate", type=float, default=20, help="attempts per second over all sessions (0: flat out)")
    s.add_argument("--sessions", type=int, default=4)
    s.add_argument("--multi", type=float, default=0.2, help="share of messages to two mailboxes")
    s.add_argument("--timeout", type=float, default=30, help="SMTP reply timeout, seconds")
    s.add_argument("--backoff", type=float, default=0.2, help="pause after a failure, seconds")
    c = sub.add_parser("count")
    c.add_argument("--acked", required=True)
    c.add_argument("--store", action="append", required=True, help="a mail store (repeatable)")
    c.add_argument("--settle", type=int, default=60, help="wait up to this many seconds for losses to clear")
    g = sub.add_parser("greet")
    g.add_argument("--host", default="127.0.0.1")
    g.add_argument("--port", type=int, required=True)
    g.add_argument("--timeout", type=int, default=120)
    f = sub.add_parser("first")
    f.add_argument("--store", action="append", required=True)
    f.add_argument("--after", type=float, required=True)
    f.add_argument("--timeout", type=int, default=120)
    r = sub.add_parser("replies")
    r.add_argument("--events", required=True)
    r.add_argument("--since", type=float, required=True)
    r.add_argument("--until", type=float, default=0)
    a = p.parse_args()
    return {"send": send, "count": count, "greet": greet, "first": first, "replies": replies}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
