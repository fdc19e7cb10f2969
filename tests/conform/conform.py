#!/usr/bin/env python3
# conform.py: an independent client of rescuedeskd, written from proto/PROTOCOL.md alone,
# that holds the real broker to what the document promises (third-party clients are
# written from it, so it must be exact).
#
# Usage: conform.py RESCUEDESKD DATA_DIR [-v]
#
# It starts the broker twice in a temporary directory on ipc:// endpoints: once open,
# once with CURVE keys and a users file (section 2.5, skipped when pyzmq has no CURVE).
# Every request op of section 7 is called with valid and invalid arguments and every
# reply key, type and error code the document names is checked; the streams of sections
# 8 and 11 are followed and checked as section 12 says; the feed of section 10 is driven
# as a supplier. A group of brokers (section 13's not_leader) needs PostgreSQL: not here.
#
# Exit status: 0 all held, 1 a disagreement (each printed with its section), 77 when
# python3-zmq or python3-msgpack is missing (meson's skip).
import os
import sys

try:
    import msgpack
    import zmq
except ImportError:
    # A pyenv or venv python3 may shadow Debian's, which has the packages.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3") \
            and not os.environ.get("CONFORM_REEXEC"):
        os.environ["CONFORM_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("conform: python3-zmq and python3-msgpack are needed: skipped")
    sys.exit(77)

import math
import re
import shutil
import signal
import subprocess
import tempfile
import time

VERBOSE = "-v" in sys.argv
FAILS = []
CHECKS = [0]
MAX53 = 2 ** 53 - 1


def fail(sec, what):
    FAILS.append("%s: %s" % (sec, what))
    print("DISAGREE %s: %s" % (sec, what), flush=True)


def check(cond, sec, what):
    CHECKS[0] += 1
    if not cond:
        fail(sec, what)
    return cond


def log(*a):
    if VERBOSE:
        print(*a, flush=True)


# ---- types of the document (section 3.1) -------------------------------------------------

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (is_int(v) or isinstance(v, float)) and math.isfinite(v)


def type_ok(v, t):
    """t: 'str' or 'str:N', 'int', 'int0' (>= 0), 'int1' (>= 1), 'int:a:b', 'num', 'num:a:b',
    'bool', 'map', 'arr', 'any', 'intm' (integer or absent-null? never: nil is not allowed)."""
    if t == "any":
        return True
    if t.startswith("str"):
        if not isinstance(v, str):
            return False
        if ":" in t and len(v.encode()) > int(t.split(":")[1]):
            return False
        return True
    if t == "bool":
        return isinstance(v, bool)
    if t == "map":
        return isinstance(v, dict)
    if t == "arr":
        return isinstance(v, list)
    if t.startswith("int"):
        if not is_int(v) or abs(v) > MAX53:
            return False
        if t == "int0":
            return v >= 0
        if t == "int1":
            return v >= 1
        if t.startswith("int:"):
            _, a, b = t.split(":")
            return int(a) <= v <= int(b)
        return True
    if t.startswith("num"):
        if not is_num(v):
            return False
        if t.startswith("num:"):
            _, a, b = t.split(":")
            return float(a) <= v <= float(b)
        return True
    raise ValueError(t)


def check_map(sec, name, m, schema, extra_ok=()):
    """schema: key -> (type, always). Checks always-keys, types, and reports keys the
    document does not define for this map (section 8: clients must ignore them, but the
    document is to list every key the broker sends)."""
    if not check(isinstance(m, dict), sec, "%s is not a map: %r" % (name, m)):
        return False
    good = True
    for k, (t, always) in schema.items():
        if k not in m:
            if always:
                good = check(False, sec, "%s lacks key %s (always present): %.300r" % (name, k, m)) and good
            continue
        if not type_ok(m[k], t):
            good = check(False, sec, "%s.%s = %r is not %s" % (name, k, m[k], t)) and good
    for k in m:
        if k not in schema and k not in extra_ok:
            SEEN_UNDOC.add((sec, name, k))
    return good


SEEN_UNDOC = set()
SEEN_CODES = set()

# Section 13's "sent by" column, for the codes that name their ops.
SENT_BY = {
    "not_found": ["ticket.", "offer.", "dispatch.candidates", "diag.", "warning.", "complaint.get",
                  "survey.put", "survey.done", "supplier.jobs"],
    "invalid_state": ["ticket.set_state", "ticket.cancel", "ticket.assign", "ticket.edit", "ticket.callback",
                      "ticket.escalate", "ticket.tell", "ticket.call", "offer.", "dispatch.candidates", "diag.",
                      "warning.", "survey.put", "survey.done"],
    "conflict": ["ticket.assign", "offer.", "diag.answer", "diag.back", "complaint.put", "warning.", "survey.put"],
    "unavailable": ["complaint.put", "ticket.tell"],
    "internal": ["ticket.get", "ticket.search", "ticket.contact", "complaint.get", "stats.board", "stats.report"],
    "too_large": ["stats.board", "stats.report", "supplier.jobs"],
}


def check_sent_by():
    for op, code in sorted(SEEN_CODES):
        if code not in SENT_BY:
            continue
        ok = any(op == x or (x.endswith(".") and op.startswith(x)) for x in SENT_BY[code])
        check(ok, "13", "%s answered %s; section 13 does not list it among the senders" % (op, code))

TICKET = {
    "id": ("int1", True), "state": ("str:24", True), "region": ("str:32", True),
    "customer": ("str:64", True), "phone": ("str:24", True), "plate": ("str:16", True),
    "model": ("str:48", True), "lat": ("num:-90:90", True), "lon": ("num:-180:180", True),
    "address": ("str:200", True), "landmark": ("str:96", True), "fault": ("str:24", True),
    "flags": ("int:0:15", True), "priority": ("int:0:1000000", True), "truck": ("str:24", False),
    "last_note": ("str:200", True), "notes": ("int0", True), "created": ("int", True),
    "promised": ("int", True), "eta": ("int", False), "eta_src": ("str:16", False),
    "t_dispatched": ("int", False), "t_accepted": ("int", False), "t_en_route": ("int", False),
    "t_on_scene": ("int", False), "t_towing": ("int", False), "t_closed": ("int", False),
    "updated": ("int", True), "ver": ("int0", True), "offer_until": ("int", False),
    "offers": ("int0", True), "diag_flow": ("str:32", False), "diag_state": ("str:16", False),
    "diag_path": ("str:1000", False), "diag_node": ("str:48", False), "diag_by": ("str:32", False),
    "diag_started": ("int", False), "diag_ended": ("int", False), "diag_hold_until": ("int", False),
    "diag_saved_s": ("int0", False), "need_kind": ("str:16", False), "senior": ("bool", False),
    "created_by": ("str:32", False), "lang": ("str:8", False), "escalated": ("int", False),
    "escalated_by": ("str:32", False), "escalate_reason": ("str:200", False),
    "vnum": ("str:24", False),
}
TRUCK = {
    "id": ("str:24", True), "supplier": ("str:32", True), "kind": ("str:16", True),
    "region": ("str:32", True), "status": ("str:16", True), "lat": ("num:-90:90", False),
    "lon": ("num:-180:180", False), "speed_kmh": ("num:0:400", False), "heading": ("num:0:360", False),
    "fix_ts": ("int", False), "ticket": ("int0", False), "updated": ("int", True),
    "ver": ("int0", True), "offers": ("int0", False), "declines": ("int0", False),
    "last_offer": ("int", False), "next": ("int0", False),
}
WARNING = {
    "id": ("int1", True), "ticket": ("int0", True), "kind": ("str:16", True), "level": ("str:8", True),
    "text": ("str:200", True), "cleared": ("bool", True), "ts": ("int", True), "ver": ("int0", True),
    "truck": ("str:24", False), "subject": ("str:24", False), "since": ("int", False),
    "eta": ("int", False), "promised": ("int", False), "pct": ("int:0:100", False),
    "offers": ("int0", False), "alt_eta": ("int", False), "gain_s": ("int0", False),
    "region": ("str:32", False), "waiting": ("int0", False), "reason": ("str:8", False),
    "owner": ("str:32", False), "acked": ("int", False), "escalated": ("int", False),
    "score": ("int:0:10", False),
}
COMPLAINT = {
    "uid": ("str:64", True), "version": ("int1", True), "number": ("str:24", False),
    "state": ("str:24", True), "handler": ("str:200", False), "supplier": ("str:200", False),
    "received": ("int", False), "saved_by": ("str:32", False), "saved_at": ("int", True),
    "ack_due": ("int", False), "update_due": ("int", False), "decision_due": ("int", False),
    "review_window_due": ("int", False), "review_decision_due": ("int", False),
    "record": ("str:48000", True), "ver": ("int0", True),
}
CANDIDATE = {
    "truck": ("str:24", True), "supplier": ("str:32", True), "kind": ("str:16", True),
    "status": ("str:16", True), "km": ("num:0:1e9", True), "eta_s": ("int0", True),
    "eta_src": ("str:16", True), "gps_age_s": ("int:-1:9007199254740991", True),
    "load": ("int:0:1000", True), "quality": ("num:0:1", True), "offers": ("int0", True),
    "score": ("num", True), "stale": ("bool", True), "why": ("str:200", True),
    "free_s": ("int0", True), "prefer": ("str:16", False),
}
EVENT = {
    "id": ("int1", True), "ts": ("int", True), "kind": ("str:16", True), "user": ("str:32", True),
    "detail": ("str:1000", True), "code": ("str:24", False), "params": ("map", False),
}
EVENT_PARAMS = {
    "truck": "str:24", "to": "str:24", "supplier": "str:32", "kind": "str:16", "need": "str:16",
    "state": "str:24", "status": "str:16", "fault": "str:24", "region": "str:32", "src": "str:16",
    "level": "str:8", "diag": "str:16", "by": "str:32", "km": "str:16", "flow": "str:32",
    "node": "str:48", "to_node": "str:48", "outcome": "str:48", "stop": "str:48",
    "text": "str:1000", "field": "str:16", "old": "str:200", "value": "str:200", "ticket": "int1",
    "min": "int0", "s": "int0", "answer": "int:1:1000", "free_min": "int0", "alt_min": "int0",
    "score": "int:-1000000000:1000000000", "alt_score": "int:-1000000000:1000000000",
    "hold_s": "int0", "template": "str:16", "lang": "str:8", "warning": "int1", "owner": "str:32",
    "comment": "str:500", "answered": "int", "note": "str:500", "vnum": "str:24", "after": "int1",
}
# Section 8.4, the ticket events table: code -> (kind, required params, optional params).
EVENT_CODES = {
    "created": ("created", ["fault", "region", "min"], []),
    "note": ("note", ["text"], []),
    "state": ("state", ["state"], ["text"]),
    "solved_phone": ("state", ["state"], []),
    "offer": ("offer", ["truck", "supplier", "kind", "s", "km", "min", "src"], ["by", "after"]),
    "hold": ("hold", ["truck", "status", "free_min", "min", "to", "alt_min", "score", "alt_score"], []),
    "hold_none": ("hold", ["truck", "status", "free_min", "min"], []),
    "accept": ("accept", ["truck"], ["min"]),
    "decline": ("decline", ["truck"], ["text"]),
    "give_back": ("decline", ["truck"], ["text"]),
    "timeout": ("timeout", ["truck", "s"], []),
    "redispatch": ("release", ["truck", "to"], []),
    "release_need": ("release", ["truck", "need", "kind"], []),
    "release": ("release", ["truck", "text"], []),
    "edit_moved": ("release", ["truck", "km"], []),
    "edit_fault": ("release", ["truck", "kind", "fault"], []),
    "edit": ("edit", ["field", "old", "value"], ["km", "min"]),
    "callback": ("callback", [], ["text"]),
    "tell": ("tell", ["template", "lang", "text"], []),
    "told": ("told", ["template"], []),
    "tell_failed": ("tell_failed", ["template", "status"], []),
    "escalate": ("escalate", ["text"], ["by"]),
    "escalate_clear": ("escalate_clear", ["text"], ["by"]),
    "vnum_bind": ("vnum_bind", ["vnum"], []),
    "vnum_release": ("vnum_release", ["vnum", "s"], []),
    "vnum_short": ("vnum_short", ["region"], ["s"]),
    "call": ("call", ["vnum", "by"], []),
    "survey": ("survey", ["ticket", "score", "answered"], ["comment"]),
    "survey_done": ("survey", ["ticket", "warning"], ["note"]),
    "contact": ("contact", ["by"], ["text"]),
    "erased": ("erased", [], []),
    "eta": ("eta", ["min", "src"], []),
    "diag_start": ("diag_start", ["flow", "node"], ["truck", "hold_s"]),
    "diag_answer": ("diag_answer", ["node", "answer"], ["to_node", "outcome", "stop"]),
    "diag_back": ("diag_back", ["node", "to_node", "answer"], []),
    "diag_safety": ("diag_safety", ["node", "stop"], []),
    "diag_outcome": ("diag_outcome", ["diag"], ["outcome", "stop", "need"]),
    "diag_abort": ("diag_abort", ["node", "text"], []),
    "diag_closed": ("diag_abort", ["node", "state"], []),
    "diag_dispatch": ("diag_dispatch", ["node"], []),
    "diag_dispatch_held": ("diag_dispatch", ["node"], []),
}


def check_ticket(sec, t, masked=True):
    check_map(sec, "ticket", t, TICKET)
    if masked and isinstance(t, dict):
        ph = t.get("phone", "")
        check(ph == "" or ph == mask_phone(ph), sec,
              "ticket %s phone %r is not masked (8.1)" % (t.get("id"), ph))
        cu = t.get("customer", "")
        check(cu == "" or cu == mask_name(cu), sec,
              "ticket %s customer %r is not masked (8.1)" % (t.get("id"), cu))
    return t


def check_event(sec, e):
    check_map(sec, "event", e, EVENT)
    if not isinstance(e, dict) or "code" not in e:
        return
    check("params" in e, sec, "event code %s without params (8.4: present with code)" % e["code"])
    p = e.get("params", {})
    for k, v in p.items():
        if k == "reason":
            continue
        if k not in EVENT_PARAMS:
            fail("8.4", "event code %s has param %s the params table does not list" % (e["code"], k))
        elif not type_ok(v, EVENT_PARAMS[k]):
            fail("8.4", "event code %s param %s = %r is not %s" % (e["code"], k, v, EVENT_PARAMS[k]))
    c = EVENT_CODES.get(e["code"])
    if c is None:
        SEEN_UNDOC.add(("8.4", "event code", e["code"]))
        return
    kind, req, opt = c
    check(e["kind"] == kind, "8.4", "event code %s has kind %s, the table says %s" % (e["code"], e["kind"], kind))
    for k in req:
        check(k in p, "8.4", "event code %s lacks param %s: %r" % (e["code"], k, p))
    for k in p:
        if k not in req and k not in opt:
            fail("8.4", "event code %s has param %s its row does not list: %r" % (e["code"], k, p))


# Masking, as section 8.1 describes it.
def mask_phone(s):
    d = "".join(c for c in s if c.isdigit() or c == "*")
    for cc in ("0086", "86"):
        if d.startswith(cc) and len(d) - len(cc) >= 10:
            d = d[len(cc):]
            break
    n = len(d)
    if n >= 8:
        return d[:3] + "*" * (n - 7) + d[-4:]
    if n >= 3:
        return "*" * (n - 2) + d[-2:]
    return "*" * n


def mask_name(s):
    return "" if s == "" else s[0] + "*"


# ---- the broker and the sockets ----------------------------------------------------------

class Broker:
    def __init__(self, exe, data, tmp, extra=(), name="b"):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.api = "ipc://%s/api" % self.dir
        self.pub = "ipc://%s/pub" % self.dir
        self.feed = "ipc://%s/feed" % self.dir
        self.logf = os.path.join(self.dir, "log")
        args = [exe, "--api", self.api, "--pub", self.pub, "--feed", self.feed,
                "--db", os.path.join(self.dir, "rd.db"), "--data", data, "--log", self.logf,
                "--max-memory", "0"] + list(extra)
        log("start", " ".join(args))
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def logtext(self):
        try:
            with open(self.logf, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


CTX = zmq.Context()
RESTART = {}


def curve(sock, keys, server):
    if keys:
        sock.curve_serverkey = server
        sock.curve_publickey = keys[0]
        sock.curve_secretkey = keys[1]


class Client:
    """A DEALER with retries by the same frame (section 6)."""
    seq = 0

    def __init__(self, b, user=None, keys=None, server=None):
        self.b = b
        self.user = user
        self.s = CTX.socket(zmq.DEALER)
        self.s.linger = 0
        self.s.setsockopt(zmq.MAXMSGSIZE, 8 * 1024 * 1024)
        curve(self.s, keys, server)
        self.s.connect(b.api)
        self.prefix = "%x-%s" % (os.getpid(), user or "anon")

    def new_id(self):
        Client.seq += 1
        return "%s-%06d" % (self.prefix, Client.seq)

    def frame(self, op, args=None, cmd_id=None, user=True, extra=None):
        req = {"v": 1, "op": op, "cmd_id": cmd_id or self.new_id()}
        if user is True and self.user is not None:
            req["user"] = self.user
        elif isinstance(user, str):
            req["user"] = user
        if args is not None:
            req["args"] = args
        if extra:
            req.update(extra)
        return req, msgpack.packb(req, use_bin_type=True)

    def send_raw(self, raw, timeout=5.0, want=1):
        self.s.send(raw)
        out = []
        end = time.time() + timeout
        while len(out) < want:
            left = end - time.time()
            if left <= 0 or not self.s.poll(int(left * 1000)):
                break
            out.append(self.s.recv())
        return out

    def call_raw(self, op, args=None, **kw):
        req, raw = self.frame(op, args, **kw)
        end = time.time() + 10
        while time.time() < end:
            self.s.send(raw)
            while self.s.poll(2000):
                b = self.s.recv()
                r = msgpack.unpackb(b, raw=False, strict_map_key=False)
                if r.get("cmd_id") == req["cmd_id"]:
                    return req, raw, b, r
        raise RuntimeError("no reply to %s" % op)

    def call(self, op, args=None, **kw):
        _, _, _, r = self.call_raw(op, args, **kw)
        check_envelope(op, r)
        if r.get("ok") is False and isinstance(r.get("error"), dict):
            SEEN_CODES.add((op, r["error"].get("code")))
        return r

    def ok(self, op, args=None, **kw):
        r = self.call(op, args, **kw)
        if not check(r.get("ok") is True, "7 " + op, "expected ok, got %r" % (r.get("error"),)):
            return None
        return r.get("result")

    def err(self, sec, op, args, code, field=None, reason=None, **kw):
        r = self.call(op, args, **kw)
        if r.get("ok"):
            fail(sec, "%s %r: expected %s, got ok" % (op, args, code))
            return r.get("result")
        e = r.get("error", {})
        check(e.get("code") == code, sec, "%s %r: expected %s, got %s (%s)" %
              (op, args, code, e.get("code"), e.get("message")))
        if field is not None:
            check(e.get("field") == field, sec, "%s %r: expected field %r, got %r (%s)" %
                  (op, args, field, e.get("field"), e.get("message")))
        if reason is not None:
            p = e.get("params")
            if check(isinstance(p, dict), sec, "%s %r: expected params with reason %s, got none (%s)" %
                     (op, args, reason, e.get("message"))):
                check(p.get("reason") == reason, sec, "%s %r: expected reason %s, got %r" %
                      (op, args, reason, p.get("reason")))
        return e

    def close(self):
        self.s.close()


# Section 5.2's refusals: reason -> (code, params always there, params that may be)
REASONS = {
    "unknown_region": ("bad_request", ["name"], []), "unknown_fault": ("bad_request", ["name"], []),
    "far_from_region": ("bad_request", ["km", "region"], []),
    "ticket_closed": ("invalid_state", ["ticket", "state"], []), "unknown_lang": ("bad_request", ["name"], []),
    "no_templates": ("unavailable", [], []), "unknown_template": ("not_found", ["template"], []),
    "too_soon": ("invalid_state", ["template", "at"], []), "missing_param": ("invalid_state", ["template", "name"], []),
    "no_truck": ("not_found", ["truck"], []), "not_dispatchable": ("invalid_state", ["ticket", "state"], []),
    "truck_has_ticket": ("conflict", ["truck", "ticket"], []), "truck_busy": ("conflict", ["truck", "ticket"], []),
    "truck_status": ("conflict", ["truck", "status"], []), "wrong_kind": ("invalid_state", ["truck", "kind", "fault"],
                                                                          ["need"]),
    "no_position": ("conflict", ["truck"], []), "truck_too_far": ("invalid_state", ["truck", "km", "limit_km"], []),
    "complaint_version": ("conflict", ["version"], ["by", "at"]),
    "complaint_approval": ("forbidden", ["name", "need"], ["limit"]),
    "complaint_approver": ("forbidden", ["name", "by"], ["need"]),
    "complaint_masked": ("bad_request", ["name"], []), "owned": ("conflict", ["by", "warning"], ["ticket"]),
    "warning_cleared": ("invalid_state", ["warning"], []), "no_warning": ("invalid_state", ["ticket"], []),
    "not_escalated": ("invalid_state", ["ticket"], []), "no_vnum": ("invalid_state", ["ticket"], []),
    "vnum_expired": ("invalid_state", ["ticket"], []), "survey_state": ("invalid_state", ["ticket", "state"], []),
    "survey_late": ("invalid_state", ["ticket"], []), "survey_taken": ("conflict", ["ticket", "at"], []),
    "no_callback": ("invalid_state", ["ticket"], []), "not_leader": ("not_leader", [], ["leader"]),
}
PARAM_TYPES = {"name": "str:48", "km": "int0", "region": "str:32", "ticket": "int1", "state": "str:24",
               "template": "str:16", "at": "int0", "truck": "str:24", "status": "str:16", "kind": "str:16",
               "fault": "str:24", "need": "str:16", "limit_km": "int0", "version": "int0", "by": "str:32",
               "limit": "int0", "warning": "int1", "leader": "str:200"}


def check_params(op, e):
    p = e["params"]
    reason = p.get("reason")
    if reason not in REASONS:
        fail("5.2", "%s: reason %r is not in the table" % (op, reason))
        return
    code, req, opt = REASONS[reason]
    check(e["code"] == code, "5.2", "%s: reason %s with code %s, the table says %s" % (op, reason, e["code"], code))
    for k in req:
        check(k in p, "5.2", "%s: reason %s without %s: %r" % (op, reason, k, p))
    for k, v in p.items():
        if k == "reason":
            continue
        if k not in req and k not in opt:
            fail("5.2", "%s: reason %s has key %s the table does not list: %r" % (op, reason, k, p))
        elif not type_ok(v, PARAM_TYPES[k]):
            fail("5.2", "%s: reason %s %s = %r is not %s" % (op, reason, k, v, PARAM_TYPES[k]))


def check_envelope(op, r):
    sec = "5.2"
    check(r.get("v") == 1, sec, "%s reply v = %r" % (op, r.get("v")))
    check(isinstance(r.get("cmd_id"), str), sec, "%s reply cmd_id not a string" % op)
    check(isinstance(r.get("ok"), bool), sec, "%s reply ok not a boolean" % op)
    check(isinstance(r.get("op"), str), sec, "%s reply op not a string" % op)
    if r.get("ok"):
        check("result" in r, sec, "%s: ok without result" % op)
        check("error" not in r, sec, "%s: ok with error" % op)
    else:
        e = r.get("error")
        if check(isinstance(e, dict), sec, "%s: failure without error map" % op):
            check(isinstance(e.get("code"), str), sec, "%s: error.code" % op)
            check(isinstance(e.get("message"), str), sec, "%s: error.message" % op)
            if "field" in e:
                check(isinstance(e["field"], str), sec, "%s: error.field" % op)
            if "params" in e:
                p = e["params"]
                if check(isinstance(p, dict), sec, "%s: error.params not a map" % op):
                    if check(type_ok(p.get("reason"), "str:24"), sec,
                             "%s: error.params without reason: %r" % (op, p)):
                        check_params(op, e)
            check(e.get("code") in ("bad_request", "unknown_op", "not_found", "invalid_state",
                                    "conflict", "forbidden", "unauthenticated", "too_large",
                                    "unavailable", "not_leader", "internal"),
                  "13", "%s: error code %r is not in section 13" % (op, e.get("code")))
        check("result" not in r, sec, "%s: failure with result" % op)


class Sub:
    """A SUB socket that queues everything (section 12 step 1)."""

    def __init__(self, b, topics=("ticket", "truck", "warning", "complaint", "hb", "message"),
                 keys=None, server=None):
        self.s = CTX.socket(zmq.SUB)
        self.s.linger = 0
        self.s.rcvhwm = 100000
        curve(self.s, keys, server)
        for t in topics:
            self.s.setsockopt(zmq.SUBSCRIBE, t.encode())
        self.s.connect(b.pub)
        self.q = []
        self.last = {}
        self.epoch = None
        self.hb = None
        self.fresh = False  # subscribed before anything was published in this epoch

    def pump(self, timeout=0.0):
        end = time.time() + timeout
        got = 0
        while True:
            left = max(0.0, end - time.time())
            if not self.s.poll(int(left * 1000)):
                return got
            parts = self.s.recv_multipart()
            got += 1
            check_pub(parts, self)
            if len(parts) == 2:
                body = msgpack.unpackb(parts[1], raw=False, strict_map_key=False)
                self.q.append((parts[0].decode(), body))
            if time.time() >= end and not self.s.poll(0):
                return got

    def wait(self, pred, timeout=5.0, what=""):
        end = time.time() + timeout
        i = 0
        while True:
            while i < len(self.q):
                t, b = self.q[i]
                i += 1
                if pred(t, b):
                    return b
            if time.time() > end:
                return None
            self.pump(0.05)

    def barrier(self):
        """Wait for the next heartbeat: it comes after every update published before it
        (11.4), so what was not queued by then was not published."""
        n = self.hb["seq"] if self.hb else 0
        i0 = len(self.q)
        self.wait(lambda tp, bd: tp == "hb" and bd["seq"] > n, timeout=3)
        return self.q[i0:]

    def close(self):
        self.s.close()


def check_pub(parts, sub):
    sec = "11"
    if not check(len(parts) == 2, "2.2", "publication of %d frames" % len(parts)):
        return
    topic = parts[0].decode("ascii", "replace")
    check(topic in ("ticket", "truck", "warning", "complaint", "hb", "message"), "2.2",
          "unknown topic %r" % topic)
    body = msgpack.unpackb(parts[1], raw=False, strict_map_key=False)
    if topic == "hb":
        check_map("11.4", "hb", body, {
            "v": ("int:1:1", True), "epoch": ("int1", True), "seq": ("int1", True), "ts": ("int", True),
            "seq_ticket": ("int0", True), "seq_truck": ("int0", True), "seq_warning": ("int0", True),
            "seq_complaint": ("int0", True), "time_scale": ("int:1:100000", True)})
        if sub.hb is not None and body.get("epoch") == sub.hb.get("epoch"):
            check(body["seq"] > sub.hb["seq"], "11.4", "heartbeat seq %d after %d" %
                  (body["seq"], sub.hb["seq"]))
            if body["seq"] > sub.hb["seq"] + 1:
                # 2.2: a subscriber that falls behind (a loaded machine) loses messages
                # and sees the gap in seq; what it holds is no longer complete
                sub.fresh = False
            for s in ("ticket", "truck", "warning", "complaint"):
                k = "seq_" + s
                check(body[k] >= sub.hb[k], "11.4", "heartbeat %s went back" % k)
        if sub.hb is None:
            sub.fresh = all(body["seq_" + s] == 0 for s in ("ticket", "truck", "warning", "complaint"))
        for s in ("ticket", "truck", "warning", "complaint"):
            # 11.4: sent after every update it counts, so we have them all by now
            if body.get("epoch") == sub.epoch and sub.fresh:
                check(sub.last.get(s, 0) >= body["seq_" + s] or s == "truck", "11.4",
                      "heartbeat seq_%s %d ahead of what arrived (%d)" % (s, body["seq_" + s], sub.last.get(s, 0)))
        sub.hb = body
        sub.epoch = body.get("epoch")
        return
    if topic == "message":
        check_map("11.5", "message", body, {
            "v": ("int:1:1", True), "epoch": ("int1", True), "seq": ("int1", True), "ts": ("int", True),
            "ticket": ("int1", True), "lang": ("str:8", True), "template": ("str:16", True),
            "text": ("str:480", True)})
        return
    check_map("11.1", topic, body, {"v": ("int:1:1", True), "epoch": ("int1", True), "seq": ("int1", True),
                                    "ts": ("int", True), topic: ("map", True)})
    ent = body.get(topic)
    schema = {"ticket": TICKET, "truck": TRUCK, "warning": WARNING, "complaint": COMPLAINT}[topic]
    check_map("8 (%s on the stream)" % topic, topic, ent, schema)
    if topic == "ticket":
        check_ticket("8.1 (stream)", ent)
    if isinstance(ent, dict):
        check(ent.get("ver") == body.get("seq"), "11.1", "%s ver %r != seq %r" % (topic, ent.get("ver"), body.get("seq")))
    if sub.epoch is not None and body.get("epoch") == sub.epoch and topic in sub.last:
        last = sub.last[topic]
        if topic != "truck":
            check(body["seq"] == last + 1, "11.2", "%s seq %d after %d (lossless stream, no loss expected)" %
                  (topic, body["seq"], last))
        else:
            check(body["seq"] > last, "11.2", "truck seq %d after %d" % (body["seq"], last))
    sub.last[topic] = body.get("seq", 0)


class Feed:
    def __init__(self, b, keys=None, server=None):
        self.s = CTX.socket(zmq.PUSH)
        self.s.linger = 100
        curve(self.s, keys, server)
        self.s.connect(b.feed)

    def send(self, m):
        self.s.send(msgpack.packb(dict({"v": 1}, **m), use_bin_type=True))

    def close(self):
        self.s.close()


def wait_hello(b, timeout=20.0):
    c = Client(b, "probe")
    end = time.time() + timeout
    req, raw = c.frame("hello", {})
    while time.time() < end:
        if b.proc.poll() is not None:
            raise RuntimeError("rescuedeskd exited with %s: %s" % (b.proc.returncode, b.logtext()[-2000:]))
        c.s.send(raw)
        if c.s.poll(500):
            r = msgpack.unpackb(c.s.recv(), raw=False)
            c.close()
            return r["result"]
    c.close()
    raise RuntimeError("rescuedeskd did not answer hello: " + b.logtext()[-2000:])


# ---- section 12: a snapshot in checked parts ----------------------------------------------

def take_snapshot(c, chunk=None, sec="7.2"):
    req, raw = c.frame("snapshot", {"chunk": chunk} if chunk else {})
    c.s.send(raw)
    parts = []
    while True:
        if not c.s.poll(5000):
            fail(sec, "snapshot: part %d did not come" % (len(parts) + 1))
            return None
        r = msgpack.unpackb(c.s.recv(), raw=False)
        if r.get("cmd_id") != req["cmd_id"]:
            continue
        check_envelope("snapshot", r)
        check(r.get("op") == "snapshot", sec, "snapshot part op %r" % r.get("op"))
        res = r["result"]
        check_map(sec, "snapshot part", res, {
            "epoch": ("int1", True), "seq_ticket": ("int0", True), "seq_truck": ("int0", True),
            "seq_warning": ("int0", True), "seq_complaint": ("int0", True), "part": ("int1", True),
            "parts": ("int1", True), "total_tickets": ("int0", True), "total_trucks": ("int0", True),
            "total_warnings": ("int0", True), "total_complaints": ("int0", True),
            "tickets": ("arr", True), "trucks": ("arr", True), "warnings": ("arr", True),
            "complaints": ("arr", True)})
        check(res["part"] == len(parts) + 1, "12", "snapshot part %d, expected %d" % (res["part"], len(parts) + 1))
        if parts:
            for k in ("epoch", "seq_ticket", "seq_truck", "seq_warning", "seq_complaint", "parts",
                      "total_tickets", "total_trucks", "total_warnings", "total_complaints"):
                check(res[k] == parts[0][k], "12", "snapshot part %d %s differs from part 1" % (res["part"], k))
        n = sum(len(res[a]) for a in ("tickets", "trucks", "warnings", "complaints"))
        if chunk:
            check(n <= chunk, sec, "snapshot part holds %d entities, chunk %d" % (n, chunk))
        parts.append(res)
        if res["part"] == res["parts"]:
            break
    snap = {"epoch": parts[0]["epoch"], "parts": len(parts)}
    for a, t in (("tickets", TICKET), ("trucks", TRUCK), ("warnings", WARNING), ("complaints", COMPLAINT)):
        snap[a] = [e for p in parts for e in p[a]]
        check(len(snap[a]) == parts[0]["total_" + a], "12", "snapshot %s: %d received, total %d" %
              (a, len(snap[a]), parts[0]["total_" + a]))
        for e in snap[a]:
            check_map("7.2 (%s in a snapshot)" % a, a[:-1], e, t)
    for s in ("ticket", "truck", "warning", "complaint"):
        snap["seq_" + s] = parts[0]["seq_" + s]
    ids = [t["id"] for t in snap["tickets"]]
    check(ids == sorted(ids), sec, "snapshot tickets not by id")
    wids = [w["id"] for w in snap["warnings"]]
    check(wids == sorted(wids), sec, "snapshot warnings not by id")
    for w in snap["warnings"]:
        check(w["cleared"] is False, sec, "a cleared warning in a snapshot")
    for t in snap["tickets"]:
        check_ticket("7.2", t)
    return snap


# ---- the open broker ----------------------------------------------------------------------

ABA = (31.9046, 102.2214)        # aba: auto_dispatch = 0 (an agent dispatches)
CHANGSHA = (28.2282, 112.9388)   # changsha: auto_dispatch = 1


def intake(c, region="aba", fault="battery", **kw):
    lat, lon = ABA if region == "aba" else CHANGSHA
    a = {"customer": "王小明", "phone": "+86 138-0013-8000", "plate": "川U·12345", "lat": lat + 0.01,
         "lon": lon + 0.01, "address": "国道317 马尔康", "fault": fault, "region": region}
    a.update(kw)
    return c.ok("intake.create", a)


def truck_up(feed, sub, truck, kind="van", supplier="jiarong", pos=ABA, now=None, status="available"):
    feed.send({"type": "status", "truck": truck, "status": status, "kind": kind, "supplier": supplier,
               "region": "aba", "ts": now})
    feed.send({"type": "fix", "truck": truck, "lat": pos[0] + 0.005, "lon": pos[1] + 0.005,
               "speed_kmh": 10.0, "heading": 90, "ts": now})
    return sub.wait(lambda t, b: t == "truck" and b["truck"]["id"] == truck and "lat" in b["truck"],
                    what="truck " + truck)


def broker_now(c):
    return c.ok("hello", {})["now"]


def run_open(exe, data, tmp):
    b = Broker(exe, data, tmp, name="open")
    try:
        h = wait_hello(b)
        open_tests(b)
        RESTART["epoch"] = broker_now_epoch(b)
    finally:
        b.stop()
    check(b.proc.returncode == 0, "rescuedeskd(8)", "broker exit status %r on SIGTERM" % b.proc.returncode)
    b = Broker(exe, data, tmp, name="open")
    try:
        wait_hello(b)
        restart_tests(b)
    finally:
        b.stop()


def broker_now_epoch(b):
    c = Client(b, "x")
    e = c.ok("hello", {})["epoch"]
    c.close()
    return e


def restart_tests(b):
    """11.3: a new epoch; 6: records survive restarts; 7.2 / 12 over the loaded state."""
    sub = Sub(b)
    c = Client(b, "agent7")
    hb = sub.wait(lambda t, _: t == "hb", timeout=5)
    h = c.ok("hello", {})
    check(h["epoch"] == RESTART.get("epoch", 0) + 1, "11.3", "epoch after a restart %d, before %r" %
          (h["epoch"], RESTART.get("epoch")))
    if hb:
        check(hb["epoch"] == h["epoch"], "11.3", "heartbeat epoch")
    if "frame" in RESTART:
        c.s.send(RESTART["frame"])
        if check(c.s.poll(3000), "6", "no reply to a recorded request after a restart"):
            check(c.s.recv() == RESTART["reply"], "6", "a recorded reply is not the same bytes after a restart")
    snap = take_snapshot(c)
    if snap:
        check(snap["epoch"] == h["epoch"], "12", "snapshot epoch")
        check(snap["seq_ticket"] == 0 or True, "11.3", "")
        check(len(snap["tickets"]) > 0 and len(snap["trucks"]) > 0 and len(snap["complaints"]) == 1, "7.2",
              "the state after a restart: %d tickets, %d trucks, %d complaints" %
              (len(snap["tickets"]), len(snap["trucks"]), len(snap["complaints"])))
        for a, s_ in (("tickets", "seq_ticket"), ("trucks", "seq_truck"), ("warnings", "seq_warning"),
                      ("complaints", "seq_complaint")):
            vers = [e["ver"] for e in snap[a]]
            check(all(v <= snap[s_] for v in vers) and (0 in vers or not vers), "11.3",
                  "%s after a restart: vers %r, %s %d (loaded entities have ver 0)" % (a, vers, s_, snap[s_]))
    # a change in the new epoch is seq 1 of its stream
    t = intake(c)
    p = sub.wait(lambda tp, bd: tp == "ticket" and bd["ticket"]["id"] == (t or {}).get("id"))
    check(p is not None and p["seq"] == (snap or {}).get("seq_ticket", 0) + 1 and p["epoch"] == h["epoch"], "11.2",
          "first ticket publication of the epoch %r" % ((p and (p["seq"], p["epoch"])),))
    sub.close()
    c.close()


def open_tests(b):
    sub = Sub(b)
    # 12 steps 1-2: a heartbeat first
    hb = sub.wait(lambda t, _: t == "hb", timeout=5)
    check(hb is not None, "11.4", "no heartbeat within 5 s")
    c = Client(b, "agent7")
    feed = Feed(b)

    # 16.1: the exact bytes of the example
    raw = bytes.fromhex("84a17601a26f70a568656c6c6fa6636d645f6964a26331a46172677380")
    check(len(raw) == 29, "16.1", "example length")
    r = msgpack.unpackb(c.send_raw(raw)[0], raw=False)
    check(r.get("ok") is True and r.get("cmd_id") == "c1", "16.1", "example request: %r" % r)

    # 7.1 hello
    h = c.ok("hello", {"client": "conform 1", "role": "agent"})
    check_map("7.1", "hello", h, {"server": ("str:32", True), "version": ("str:32", True),
                                 "proto": ("int:1:1000", True), "epoch": ("int1", True),
                                 "user": ("str:32", True), "role": ("str:16", False),
                                 "time_scale": ("int:1:100000", True), "now": ("int", True)})
    check(h.get("server") == "rescuedeskd" and h.get("proto") == 1, "7.1", "hello %r" % h)
    check(h.get("user") == "agent7", "7.1", "hello user %r" % h.get("user"))
    check("role" not in h, "7.1", "open broker: hello has role %r" % h.get("role"))
    check(h.get("epoch") == hb["epoch"], "11.3", "hello epoch != heartbeat epoch")
    anon = Client(b, None)
    check(anon.ok("hello", {}).get("user") == "anonymous", "7.1", "hello without user is not anonymous")
    r = anon.call("hello")  # 5.1: args may be left out
    check(r.get("ok") is True, "5.1", "request without args refused: %r" % r.get("error"))
    check(sub.hb["ts"] <= h["now"] + 5000, "4", "hb ts after hello now")
    check(abs(h["now"] - time.time() * 1000) < 5000, "4", "broker time at a first start is not the wall clock: %d" %
          (h["now"] - time.time() * 1000))
    # 11.4: about every 1,000 ms
    n0 = sub.hb["seq"]
    t0 = time.time()
    sub.wait(lambda tp, bd: tp == "hb" and bd["seq"] == n0 + 3, timeout=6)
    dt = (time.time() - t0) / 3
    check(0.5 < dt < 2.0, "11.4", "heartbeats every %.2f s" % dt)

    # empty state: one part, four empty arrays
    s0 = take_snapshot(c)
    if s0 is not None:
        check(s0["parts"] == 1 and not s0["tickets"] and not s0["trucks"], "7.2", "empty state not one empty part")

    section3(c, b)
    kpi0 = c.ok("stats.kpi", {})

    now = broker_now(c)
    # 10.1 / 10.2 the feed, as a supplier
    t1 = truck_up(feed, sub, "ab-v1", now=now)
    check(t1 is not None, "10.1", "a registered truck was not published")
    if t1:
        tk = t1["truck"]
        check(tk["status"] == "available" and tk["supplier"] == "jiarong" and tk["kind"] == "van", "8.2",
              "truck %r" % tk)
        check(tk.get("fix_ts") == now, "10.2", "fix_ts %r, sent %r" % (tk.get("fix_ts"), now))
    truck_up(feed, sub, "ab-f1", kind="flatbed", now=now)
    truck_up(feed, sub, "ab-v2", now=now)
    truck_up(feed, sub, "ab-v3", now=now)
    # an off-duty truck, and one without a position
    feed.send({"type": "status", "truck": "ab-off", "status": "off_duty", "kind": "van",
               "supplier": "jiarong", "ts": now})
    feed.send({"type": "status", "truck": "ab-nopos", "status": "available", "kind": "van",
               "supplier": "jiarong", "ts": now})
    # a far truck (Changsha, > 300 km from Aba)
    truck_up(feed, sub, "far-1", kind="van", supplier="xiangjiang", pos=CHANGSHA, now=now)
    # ignored: unknown truck without kind, a bad status, a fix for an unknown truck, v 2
    feed.send({"type": "status", "truck": "nokind", "status": "available", "ts": now})
    feed.send({"type": "fix", "truck": "ghost", "lat": 1.0, "lon": 1.0, "ts": now})
    feed.send({"type": "status", "truck": "v2", "status": "available", "kind": "van", "ts": now, "v": 2})
    feed.send({"type": "status", "truck": "ab-v1", "status": "on_scene", "ts": now})
    got = sub.wait(lambda t, b: t == "truck" and b["truck"]["id"] == "ab-nopos", what="ab-nopos")
    check(got is not None, "10.1", "ab-nopos not published")
    sub.wait(lambda t, b: False, timeout=0.3)
    for t, bd in sub.q:
        if t == "truck":
            check(bd["truck"]["id"] not in ("nokind", "ghost", "v2"), "10", "ignored feed message made truck %s"
                  % bd["truck"]["id"])
            if bd["truck"]["id"] == "ab-v1":
                check(bd["truck"]["status"] == "available", "10.1", "status on_scene from the feed was applied")

    ops_tickets(c, sub, feed, b)
    ops_diag(c, sub, feed)
    ops_complaints(c, sub)
    ops_stats(c, kpi0)
    ops_supplier_jobs(c, sub, feed)
    state_machine(c, sub, feed)
    kpi_check(c)
    board_check(c)
    feed_rules(c, sub, feed)
    sync_check(c, sub)
    sub.close()
    feed.close()
    c.close()
    anon.close()


def section3(c, b):
    sec = "3.3"

    def raw_reply(raw):
        out = c.send_raw(raw, timeout=3)
        if not check(len(out) == 1, sec, "no reply to a bad frame %r" % raw[:40]):
            return {}
        r = msgpack.unpackb(out[0], raw=False)
        check_envelope("?", r)
        return r

    def expect(raw, code, cmd_id, op, what):
        r = raw_reply(raw)
        if not r:
            return
        e = r.get("error", {})
        check(r.get("ok") is False and e.get("code") == code, sec, "%s: got %r" % (what, e))
        check(r.get("cmd_id") == cmd_id, sec, "%s: cmd_id %r, expected %r" % (what, r.get("cmd_id"), cmd_id))
        check(r.get("op") == op, sec, "%s: op %r, expected %r" % (what, r.get("op"), op))
        return e

    P = lambda m: msgpack.packb(m, use_bin_type=True)
    expect(b"", "bad_request", "", "", "an empty frame")
    expect(b"\x85\xa1v", "bad_request", "", "", "truncated msgpack")
    expect(b"\xc1", "bad_request", "", "", "the byte 0xc1")
    expect(P([1, 2]), "bad_request", "", "", "not a map")
    expect(P({"v": 1, "op": "hello"}) + b"\x00", "bad_request", "", "", "bytes after the object")
    expect(P({"v": 1, "op": "hello"}), "bad_request", "", "", "no cmd_id")
    expect(P({"v": 1, "op": "hello", "cmd_id": ""}), "bad_request", "", "", "empty cmd_id")
    expect(P({"v": 1, "op": "hello", "cmd_id": "x" * 65}), "bad_request", "", "", "cmd_id of 65 bytes")
    expect(P({"v": 1, "op": "hello", "cmd_id": 5}), "bad_request", "", "", "cmd_id an integer")
    expect(P({"v": 2, "op": "hello", "cmd_id": "b1"}), "bad_request", "b1", "", "v 2")
    expect(P({"op": "hello", "cmd_id": "b2"}), "bad_request", "b2", "", "no v")
    expect(P({"v": 1.0, "op": "hello", "cmd_id": "b2f"}), "bad_request", "b2f", "", "v a float")
    expect(P({"v": 1, "cmd_id": "b3"}), "bad_request", "b3", "", "no op")
    expect(P({"v": 1, "op": 7, "cmd_id": "b3b"}), "bad_request", "b3b", "", "op an integer")
    expect(P({"v": 1, "op": "nosuch.op", "cmd_id": "b4"}), "unknown_op", "b4", "", "unknown op")
    expect(P({"v": 1, "op": "hello", "cmd_id": "b5", "user": ""}), "bad_request", "b5", "hello", "user empty")
    expect(P({"v": 1, "op": "hello", "cmd_id": "b6", "user": "u" * 33}), "bad_request", "b6", "hello",
           "user of 33 bytes")
    expect(P({"v": 1, "op": "hello", "cmd_id": "b7", "args": [1]}), "bad_request", "b7", "hello", "args an array")
    e = expect(P({"v": 1, "op": "ticket.get", "cmd_id": "b8", "args": {"id": 1.0}}), "bad_request", "b8",
               "ticket.get", "id a float")
    if e:
        check(e.get("field") == "id", "5.2", "codec refusal of args.id names field %r" % e.get("field"))
        check("args.id" in e.get("message", ""), "3.3", "message does not name args.id: %r" % e.get("message"))
    expect(P({"v": 1, "op": "ticket.get", "cmd_id": "b9", "args": {}}), "bad_request", "b9", "ticket.get",
           "a required key missing")
    expect(P({"v": 1, "op": "ticket.get", "cmd_id": "b10", "args": {"id": 0}}), "bad_request", "b10",
           "ticket.get", "id out of range")
    expect(P({"v": 1, "op": "ticket.get", "cmd_id": "b11", "args": {"id": None}}), "bad_request", "b11",
           "ticket.get", "nil for a known key")
    expect(P({"v": 1, "op": "hello", "cmd_id": "b12", "args": {"client": b"bin"}}), "bad_request", "b12",
           "hello", "bin for a string")
    e = expect(P({"v": 1, "op": "hello", "cmd_id": "b13", "user": "a\u202eb"}), "bad_request", "b13", "hello",
               "user with a bidi control")
    # 3.2 item 5: a known key twice in args; 3.1: 2^53 is out of range; float32 and integers are numbers
    dup = b"\x84\xa1v\x01\xa2op\xaaticket.get\xa6cmd_id\xa3d01\xa4args\x82\xa2id\x01\xa2id\x02"
    expect(dup, "bad_request", "d01", "ticket.get", "a known key twice in args")
    # the envelope: a repeated key of its own is refused; an unknown one may repeat
    dup2 = b"\x84\xa1v\x01\xa2op\xa5hello\xa6cmd_id\xa3d02\xa2op\xa8nosuchop"
    expect(dup2, "bad_request", "d02", "", "op twice in the envelope")
    dup3 = b"\x85\xa1v\x01\xa2op\xa5hello\xa6cmd_id\xa3d03\xa2zz\x01\xa2zz\x02"
    r = raw_reply(dup3)
    check(r.get("ok") is True, "3.2", "an unknown envelope key twice refused: %r" % r.get("error"))
    expect(P({"v": 1, "op": "ticket.get", "cmd_id": "b16", "args": {"id": 2 ** 53}}), "bad_request", "b16",
           "ticket.get", "id 2^53")
    r = raw_reply(P({"v": 1, "op": "ticket.get", "cmd_id": "b17", "args": {"id": MAX53}}))
    check(r.get("error", {}).get("code") == "not_found", "3.1", "id 2^53-1: %r" % r.get("error"))
    f32 = msgpack.packb({"v": 1, "op": "intake.create", "cmd_id": "b18", "user": "agent7",
                         "args": {"customer": "F", "phone": "13800138000", "plate": "A1", "lat": ABA[0],
                                  "lon": 102, "address": "x", "fault": "battery", "region": "aba"}},
                        use_single_float=True)
    check(b"\xca" in f32, "3.1", "test: no float32 in the frame")
    r = raw_reply(f32)
    check(r.get("ok") is True, "3.1", "float32 and an integer as numbers refused: %r" % r.get("error"))
    if r.get("ok"):
        c.ok("ticket.cancel", {"id": r["result"]["id"], "reason": "test"})
    expect(P({"v": 1, "op": "hello", "cmd_id": "b19", "user": "\u200b"}), "bad_request", "b19", "hello",
           "a user of a zero-width space (refused, not normalised)")
    # nesting deeper than 16 levels
    deep = {"x": 1}
    for _ in range(17):
        deep = {"x": deep}
    expect(P({"v": 1, "op": "hello", "cmd_id": "b14", "args": deep}), "bad_request", "", "", "nesting of 18")
    # unknown keys, whatever their type, are ignored
    r = raw_reply(P({"v": 1, "op": "hello", "cmd_id": "b15", "zz": msgpack.ExtType(5, b"ab"),
                     "args": {"nosuch": b"\x00"}}))
    check(r.get("ok") is True, "3.2", "unknown keys (ext, bin) not ignored: %r" % r.get("error"))
    # 2.1: the last frame counts; an empty frame among them makes a delimiter
    c.s.send_multipart([b"junk", P({"v": 1, "op": "hello", "cmd_id": "mf1", "args": {}})])
    if check(c.s.poll(3000), "2.1", "no reply to a two-frame request"):
        fr = c.s.recv_multipart()
        check(len(fr) == 1 and msgpack.unpackb(fr[-1], raw=False).get("cmd_id") == "mf1", "2.1",
              "two-frame request: %r" % fr)
    req = CTX.socket(zmq.REQ)
    req.linger = 0
    req.connect(b.api)
    req.send(P({"v": 1, "op": "hello", "cmd_id": "req1", "args": {}}))
    if check(req.poll(3000), "2.1", "no reply over REQ"):
        r = msgpack.unpackb(req.recv(), raw=False)
        check(r.get("cmd_id") == "req1" and r.get("ok"), "2.1", "REQ reply %r" % r)
    req.close()
    # plain text (3.2): TAB becomes a space, a control character is refused with the key
    e = c.err("3.2", "intake.create", {"customer": "a\x1bb", "phone": "13800138000", "plate": "A1",
                                       "lat": ABA[0], "lon": ABA[1], "address": "x", "fault": "battery",
                                       "region": "aba"}, "bad_request", field="customer")
    if e:
        check("args.customer" in e.get("message", ""), "3.2", "message %r" % e.get("message"))
    # 3.2 normalisation: a TAB becomes a space; a ZWJ among visible characters is kept
    t = c.ok("intake.create", {"customer": "Wang", "phone": "13800138000", "plate": "A1", "lat": ABA[0],
                               "lon": ABA[1], "address": "a\tb", "landmark": "x\u200dy", "fault": "battery",
                               "region": "aba"})
    if t:
        check(t["address"] == "a b" and t["landmark"] == "x\u200dy", "3.2", "normalised %r %r" %
              (t["address"], t["landmark"]))
        c.ok("ticket.cancel", {"id": t["id"], "reason": "test"})
    # 2.1: a snapshot over REQ, one part
    rq = CTX.socket(zmq.REQ)
    rq.linger = 0
    rq.connect(b.api)
    rq.send(P({"v": 1, "op": "snapshot", "cmd_id": "rs1", "args": {"chunk": 5000}}))
    if check(rq.poll(3000), "2.1", "no snapshot over REQ"):
        r = msgpack.unpackb(rq.recv(), raw=False)
        check(r.get("ok") and r["result"]["parts"] == 1, "2.1", "REQ snapshot %r" % r.get("error"))
    rq.close()
    # 65,537 bytes over ipc: no reply, the connection dropped (2.1)
    big = P({"v": 1, "op": "hello", "cmd_id": "big", "args": {"client": "x" * 65600}})
    d = CTX.socket(zmq.DEALER)
    d.linger = 0
    d.connect(b.api)
    d.send(big)
    check(not d.poll(1500), "2.1", "a frame over 65,536 bytes got a reply over ipc")
    d.close()


def ops_tickets(c, sub, feed, b):
    now = broker_now(c)
    # ---- 7.3 intake.create ----
    t = intake(c, notes="第一条\n两行", flags=1, lang="en")
    if t is None:
        return
    check_ticket("7.3", t)
    check(t["state"] == "new" and t["notes"] == 1 and t["priority"] == 10 + 100, "7.3",
          "ticket %r" % {k: t[k] for k in ("state", "notes", "priority")})
    check(t["phone"] == "138****8000" and t["customer"] == "王*", "8.1", "masking %r %r" % (t["phone"], t["customer"]))
    check(t.get("created_by") == "agent7" and t.get("lang") == "en", "8.1", "created_by/lang %r" % t)
    check(t["promised"] - t["created"] == 60 * 60000, "7.3", "expressway promise %d min" %
          ((t["promised"] - t["created"]) // 60000))
    pub = sub.wait(lambda tp, bd: tp == "ticket" and bd["ticket"]["id"] == t["id"] and bd["ticket"]["ver"] == t["ver"])
    check(pub is not None and pub["ticket"] == t, "6", "no publication of the ticket with the reply's ver, or it differs")
    good = {"customer": "张三", "phone": "13800138000", "plate": "A1", "lat": ABA[0], "lon": ABA[1],
            "address": "x", "fault": "battery", "region": "aba"}

    def bad(field, reason=None, code="bad_request", sec="7.3", **kw):
        a = dict(good)
        a.update(kw)
        a = {k: v for k, v in a.items() if v is not None}
        return c.err(sec, "intake.create", a, code, field=field, reason=reason)

    e = bad("region", "unknown_region", region="nowhere")
    if e and e.get("params"):
        check(e["params"].get("name") == "nowhere", "5.2", "unknown_region params %r" % e["params"])
    bad("fault", "unknown_fault", fault="flu")
    bad("customer", customer=" \t")
    bad("customer", customer="\u200b")
    bad("phone", phone="12-34")
    bad("phone", phone="138 0013 80a0")
    bad("plate", plate="  ")
    bad("address", address="")
    e = bad("lat", "far_from_region", lat=CHANGSHA[0], lon=CHANGSHA[1])
    if e and e.get("params"):
        p = e["params"]
        check(is_int(p.get("km")) and p["km"] > 500 and p.get("region") == "aba", "5.2", "far params %r" % p)
    bad("lang", "unknown_lang", lang="fr")
    bad("flags", flags=16)
    bad("lat", lat=91)
    bad(None, plate=None)
    bad("notes", notes="x" * 501)
    bad("customer", customer="a\nb")
    r = intake(c, lang="")
    check(r is not None and "lang" not in r, "7.3", "lang \"\" kept: %r" % (r or {}).get("lang"))

    # ---- 6 idempotency ----
    req, raw, b1, r1 = c.call_raw("ticket.note", {"id": t["id"], "text": "idem"})
    c.s.send(raw)
    c.s.poll(3000)
    b2 = c.s.recv()
    check(b1 == b2, "6", "a retry of a mutating request is not the same bytes")
    RESTART["frame"], RESTART["reply"] = raw, b1
    tt = c.ok("ticket.get", {"id": t["id"]})["ticket"]
    check(tt["notes"] == 2, "6", "a retry was applied again: notes %d" % tt["notes"])
    # the retry is not looked at: another op, the same key
    r = c.call("ticket.cancel", {"id": t["id"], "reason": "x"}, cmd_id=req["cmd_id"])
    check(msgpack.packb(r) == msgpack.packb(r1) or r.get("op") == "ticket.note", "6",
          "retry with other args was carried out: %r" % r)

    # ---- 7.4 ticket.get ----
    g = c.ok("ticket.get", {"id": t["id"]})
    check_map("7.4", "ticket.get", g, {"ticket": ("map", True), "events": ("arr", True)})
    check_ticket("7.4", g["ticket"])
    for ev in g["events"]:
        check_event("8.4", ev)
    codes = [e.get("code") for e in g["events"]]
    check(codes[:2] == ["created", "note"], "7.3", "first events %r" % codes)
    c.err("7.4", "ticket.get", {"id": 999999}, "not_found")

    # ---- 7.5 ticket.note ----
    n = c.ok("ticket.note", {"id": t["id"], "text": "x" * 250})
    check(n and n["notes"] == 3 and len(n["last_note"].encode()) == 200, "7.5", "note %r" %
          ({k: n[k] for k in ("notes",)} if n else None))
    c.err("7.5", "ticket.note", {"id": t["id"], "text": "  "}, "bad_request")
    c.err("7.5", "ticket.note", {"id": 999999, "text": "a"}, "not_found")

    # ---- 7.6 / 7.7 ----
    c.err("7.6", "ticket.set_state", {"id": 999999, "state": "new"}, "not_found")
    c.err("7.6", "ticket.set_state", {"id": t["id"], "state": "flying"}, "bad_request")
    c.err("7.6", "ticket.set_state", {"id": t["id"], "state": "dispatched"}, "invalid_state")
    c.err("7.6", "ticket.set_state", {"id": t["id"], "state": "on_scene"}, "invalid_state")
    c.err("7.6", "ticket.set_state", {"id": t["id"], "state": "cancelled", "reason": " "}, "bad_request")
    c.err("7.7", "ticket.cancel", {"id": 999999, "reason": "x"}, "not_found")
    c.err("7.7", "ticket.cancel", {"id": t["id"], "reason": ""}, "bad_request")
    tx = intake(c)
    x = c.ok("ticket.set_state", {"id": tx["id"], "state": "resolved_remote"})
    check(x and x["state"] == "resolved_remote" and "t_closed" in x, "9", "new -> resolved_remote %r" % x)
    c.err("7.7", "ticket.cancel", {"id": tx["id"], "reason": "late"}, "invalid_state")

    # ---- 7.8 ticket.assign ----
    tid = t["id"]
    c.err("7.8", "ticket.assign", {"id": 999999, "truck": "ab-v1"}, "not_found")
    e = c.err("7.8", "ticket.assign", {"id": tid, "truck": "nosuch"}, "not_found", reason="no_truck")
    e = c.err("7.8", "ticket.assign", {"id": tid, "truck": "ab-off"}, "conflict", reason="truck_status")
    if e and e.get("params"):
        check(e["params"].get("status") == "off_duty", "5.2", "truck_status params %r" % e["params"])
    c.err("7.8", "ticket.assign", {"id": tid, "truck": "ab-nopos"}, "conflict", reason="no_position")
    e = c.err("7.8", "ticket.assign", {"id": tid, "truck": "far-1"}, "invalid_state", reason="truck_too_far")
    if e and e.get("params"):
        check(e["params"].get("limit_km") == 300, "5.2", "truck_too_far params %r" % e["params"])
    tw = intake(c, fault="winch")
    e = c.err("7.8", "ticket.assign", {"id": tw["id"], "truck": "ab-v1"}, "invalid_state", reason="wrong_kind")
    if e and e.get("params"):
        p = e["params"]
        check(p.get("kind") == "van" and p.get("fault") == "winch" and p.get("truck") == "ab-v1", "5.2",
              "wrong_kind params %r" % p)
    c.err("7.8", "ticket.assign", {"id": tx["id"], "truck": "ab-v1"}, "invalid_state", reason="not_dispatchable")
    a = c.ok("ticket.assign", {"id": tid, "truck": "ab-v1"})
    if a is None:
        return
    check(a["state"] == "dispatched" and a.get("truck") == "ab-v1" and "offer_until" in a and "eta" in a
          and a.get("eta_src") in ("model", "stale") and a["offers"] == 1, "7.8", "assigned ticket %r" % a)
    check(a["offer_until"] - a["t_dispatched"] == 180000, "9.1", "offer_until - t_dispatched = %d, jiarong has 180 s" %
          (a["offer_until"] - a["t_dispatched"]))
    tr = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v1" and bd["truck"]["status"] == "offered")
    check(tr is not None and tr["truck"].get("ticket") == tid and tr["truck"].get("offers") == 1, "9", "offered truck %r" %
          (tr and tr["truck"]))
    c.err("7.8", "ticket.assign", {"id": tid, "truck": "ab-v1"}, "conflict", reason="truck_has_ticket")
    t2 = intake(c)
    e = c.err("7.8", "ticket.assign", {"id": t2["id"], "truck": "ab-v1"}, "conflict", reason="truck_busy")
    if e and e.get("params"):
        check(e["params"].get("ticket") == tid, "5.2", "truck_busy params %r" % e["params"])

    # ---- 7.11 dispatch.candidates ----
    dc = c.ok("dispatch.candidates", {"id": t2["id"], "k": 3})
    if dc:
        check_map("7.11", "candidates", dc, {"ticket": ("map", True), "candidates": ("arr", True)})
        check(len(dc["candidates"]) <= 3, "7.11", "k 3 gave %d" % len(dc["candidates"]))
        for cd in dc["candidates"]:
            check_map("8.6", "candidate", cd, CANDIDATE)
        check("ab-v1" not in [x["truck"] for x in dc["candidates"]], "7.11", "an offered truck is a candidate")
    c.err("7.11", "dispatch.candidates", {"id": tx["id"]}, "invalid_state")
    c.err("7.11", "dispatch.candidates", {"id": 999999}, "not_found")
    c.err("7.11", "dispatch.candidates", {"id": tid, "k": 21}, "bad_request", field="k")

    # ---- 7.9 / 7.10 offers ----
    c.err("7.10", "offer.decline", {"id": tid, "truck": "ab-v1", "reason": " "}, "bad_request")
    c.err("7.9", "offer.accept", {"id": tid, "truck": "ab-v2", "eta_s": 600}, "conflict")
    c.err("7.9", "offer.accept", {"id": t2["id"], "truck": "ab-v2", "eta_s": 600}, "invalid_state")
    c.err("7.9", "offer.accept", {"id": tid, "truck": "nosuch", "eta_s": 600}, "not_found")
    c.err("7.9", "offer.accept", {"id": tid, "truck": "ab-v1", "eta_s": 86401}, "bad_request", field="eta_s")
    ac = c.ok("offer.accept", {"id": tid, "truck": "ab-v1", "eta_s": 900})
    if ac:
        check(ac["state"] == "accepted" and ac.get("eta_src") == "supplier" and "offer_until" not in ac
              and ac["eta"] == ac["t_accepted"] + 900000, "7.9", "accepted %r" % ac)
    # decline on the second ticket with another truck
    c.ok("ticket.assign", {"id": t2["id"], "truck": "ab-v2"})
    dcl = c.ok("offer.decline", {"id": t2["id"], "truck": "ab-v2", "reason": "不去"})
    if dcl:
        check(dcl["state"] == "new" and dcl.get("truck", "") == "" and "eta" not in dcl and "offer_until" not in dcl,
              "7.10", "declined %r" % dcl)
    trd = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v2" and bd["truck"].get("declines") == 1)
    check(trd is not None and trd["truck"]["status"] == "available", "7.10", "declined truck %r" % (trd and trd["truck"]))
    dc = c.ok("dispatch.candidates", {"id": t2["id"], "k": 20})
    if dc:
        check("ab-v2" not in [x["truck"] for x in dc["candidates"]], "7.11", "a truck that declined is a candidate")

    # ---- 7.28 ticket.call, vnum ----
    tg = c.ok("ticket.get", {"id": tid})["ticket"]
    if "vnum" in tg:
        _, cl_raw, cl_bytes, clr = c.call_raw("ticket.call", {"id": tid})
        c.s.send(cl_raw)
        if c.s.poll(3000):
            check(c.s.recv() == cl_bytes, "6", "a retry of ticket.call is not the recorded reply")
        n_calls = sum(1 for x in c.ok("ticket.get", {"id": tid})["events"] if x.get("code") == "call")
        check(n_calls == 1, "6", "a retry of ticket.call (same cmd_id) logged %d calls" % n_calls)
        cl = c.ok("ticket.call", {"id": tid})
        check(cl and cl.get("vnum") == tg["vnum"], "7.28", "call %r" % cl)
        ev = c.ok("ticket.get", {"id": tid})["events"][-1]
        check(ev.get("code") == "call" and ev["params"].get("vnum") == tg["vnum"] and ev["params"].get("by") == "agent7",
              "7.28", "call event %r" % ev)
    c.err("7.28", "ticket.call", {"id": tw["id"]}, "invalid_state", reason="no_vnum")
    c.err("7.28", "ticket.call", {"id": 999999}, "not_found")

    # ---- 7.27 ticket.tell ----
    _, tl_raw, tl_bytes, tlr = c.call_raw("ticket.tell", {"id": tid, "template": "eta"})
    tl = tlr.get("result") if check(tlr.get("ok") is True, "7.27", "tell %r" % tlr.get("error")) else None
    if tl is not None:
        m = sub.wait(lambda tp, bd: tp == "message" and bd["ticket"] == tid)
        if check(m is not None, "11.5", "no message published for a tell"):
            check(m["seq"] == 1 and m["epoch"] == sub.epoch, "11.5", "first message seq %r" % m["seq"])
            check(m["lang"] == "en" and m["template"] == "eta", "11.5", "message %r" % m)
            check("王小明" not in m["text"] and "王*" in m["text"], "11.5", "message text not masked: %r" % m["text"])
            check("13800138000" not in m["text"], "11.5", "message holds the phone")
        ev = c.ok("ticket.get", {"id": tid})["events"]
        te = [x for x in ev if x.get("code") == "tell"]
        check(te and te[-1]["params"]["template"] == "eta" and "王小明" not in te[-1]["params"]["text"], "7.27",
              "tell event %r" % (te and te[-1]))
    e = c.err("7.27", "ticket.tell", {"id": tid, "template": "eta"}, "invalid_state", field="template", reason="too_soon")
    if e and e.get("params"):
        check(is_int(e["params"].get("at")) and e["params"].get("template") == "eta", "5.2", "too_soon %r" % e["params"])
    # 6: is ticket.tell recorded? A retry of the same frame gets the same bytes (not too_soon)
    c.s.send(tl_raw)
    if c.s.poll(3000):
        again = c.s.recv()
        check(again == tl_bytes, "6", "a retry of ticket.tell (same cmd_id) is not answered the recorded reply: %r" %
              msgpack.unpackb(again, raw=False).get("error"))
    c.err("7.27", "ticket.tell", {"id": tid, "template": "nosuch"}, "not_found", field="template",
          reason="unknown_template")
    e = c.err("7.27", "ticket.tell", {"id": t2["id"], "template": "eta"}, "invalid_state", field="template",
              reason="missing_param")
    c.err("7.27", "ticket.tell", {"id": tx["id"], "template": "apology"}, "invalid_state", reason="ticket_closed")
    c.err("7.27", "ticket.tell", {"id": 999999, "template": "apology"}, "not_found")

    # ---- 7.29 ticket.track ----
    now = broker_now(c)
    for i in range(3):
        feed.send({"type": "fix", "truck": "ab-v1", "lat": ABA[0] + 0.002 * i, "lon": ABA[1], "ts": now + i})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v1" and bd["truck"].get("fix_ts") == now + 2)
    trk = c.ok("ticket.track", {"id": tid, "max": 2})
    if trk:
        check_map("7.29", "track", trk, {"truck": ("str:24", False), "total": ("int0", True),
                                         "ticket": ("map", True), "fixes": ("arr", True)})
        check(trk.get("truck") == "ab-v1" and trk["total"] >= 3 and len(trk["fixes"]) == 2, "7.29", "track %r" % trk)
        for f in trk["fixes"]:
            check_map("7.29", "track fix", f, {"ts": ("int", True), "lat": ("num:-90:90", True),
                                               "lon": ("num:-180:180", True), "dist_m": ("num:0:40000000", True)})
            check(isinstance(f.get("lat"), float) and isinstance(f.get("dist_m"), float), "7.29",
                  "track fix lat/dist_m not float: %r" % f)
        if len(trk["fixes"]) == 2:
            check(trk["fixes"][-1]["ts"] == now + 2, "7.29", "the newest fix is not last")
    c.err("7.29", "ticket.track", {"id": tid, "max": 1}, "bad_request", field="max")
    c.err("7.29", "ticket.track", {"id": 999999}, "not_found")
    tk0 = c.ok("ticket.track", {"id": tx["id"]})
    check(tk0 and "truck" not in tk0 and tk0["total"] == 0 and tk0["fixes"] == [], "7.29", "closed track %r" % tk0)

    # 10.2: a fix 10 s ahead is taken at arrival time; 60 s ahead is refused
    now = broker_now(c)
    feed.send({"type": "fix", "truck": "ab-v3", "lat": ABA[0], "lon": ABA[1], "ts": now + 10000})
    p = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v3" and bd["truck"].get("fix_ts", 0) >= now
                 and bd["truck"].get("lat") == ABA[0])
    check(p is not None and p["truck"]["fix_ts"] < now + 5000, "10.2", "a fix 10 s ahead kept its ts: %r" %
          (p and p["truck"].get("fix_ts")))
    i0 = len(sub.q)
    feed.send({"type": "fix", "truck": "ab-v3", "lat": ABA[0] + 0.1, "lon": ABA[1], "ts": now + 60000})
    # the feed is one pipe, in order: once the next fix is published the one before was handled
    feed.send({"type": "fix", "truck": "ab-v3", "lat": ABA[0] + 0.001, "lon": ABA[1], "ts": broker_now(c)})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v3" and bd["truck"].get("lat") == ABA[0] + 0.001)
    check(not any(tp == "truck" and bd["truck"]["id"] == "ab-v3" and bd["truck"].get("lat", 0) > ABA[0] + 0.05
                  for tp, bd in sub.q[i0:]), "10.2", "a fix 60 s ahead was applied")

    # ---- 9: the rest of the life: en_route, on_scene, completed ----
    r = c.ok("ticket.set_state", {"id": tid, "state": "en_route"})
    r = c.ok("ticket.set_state", {"id": tid, "state": "on_scene"})
    check(r and "t_on_scene" in r, "9", "on_scene %r" % r)
    c.err("9", "ticket.cancel", {"id": tid, "reason": "x"}, "invalid_state") if False else None
    r = c.ok("ticket.set_state", {"id": tid, "state": "completed"})
    check(r and r["state"] == "completed" and r.get("truck", "") == "" and "t_closed" in r, "9", "completed %r" % r)
    tr = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v1" and bd["truck"]["status"] == "available"
                  and not bd["truck"].get("ticket"))
    check(tr is not None, "9", "truck not available after completed")
    c.err("9", "ticket.set_state", {"id": tid, "state": "new"}, "invalid_state")

    # ---- 7.20 ticket.edit ----
    c.err("7.20", "ticket.edit", {"id": tid, "plate": "B"}, "invalid_state", reason="ticket_closed")
    c.err("7.20", "ticket.edit", {"id": 999999, "plate": "B"}, "not_found")
    c.err("7.20", "ticket.edit", {"id": t2["id"]}, "bad_request")
    c.err("7.20", "ticket.edit", {"id": t2["id"], "lat": ABA[0]}, "bad_request")
    c.err("7.20", "ticket.edit", {"id": t2["id"], "fault": "flu"}, "bad_request", field="fault", reason="unknown_fault")
    c.err("7.20", "ticket.edit", {"id": t2["id"], "lat": CHANGSHA[0], "lon": CHANGSHA[1]}, "bad_request",
          field="lat", reason="far_from_region")
    c.err("7.20", "ticket.edit", {"id": t2["id"], "phone": "12"}, "bad_request", field="phone")
    c.err("7.20", "ticket.edit", {"id": t2["id"], "lang": "de"}, "bad_request", field="lang", reason="unknown_lang")
    c.ok("ticket.edit", {"id": t2["id"], "customer": "张三"})
    ed = c.ok("ticket.edit", {"id": t2["id"], "customer": "李四", "flags": 9, "lat": ABA[0] + 0.02, "lon": ABA[1]})
    if ed:
        check(ed["customer"] == "李*" and ed["flags"] == 9 and ed["priority"] == 10 + 100 + 1000, "7.20", "edit %r" % ed)
        evs = [x for x in c.ok("ticket.get", {"id": t2["id"]})["events"] if x.get("code") == "edit"]
        fields = [x["params"]["field"] for x in evs]
        check(fields == ["customer", "customer", "location", "flags"], "7.20", "edit events in the order of the table: %r" % fields)
        for x in evs:
            if x["params"]["field"] == "customer" and x["params"]["value"] == "李*":
                check(x["params"]["old"] == "张*" and x["params"]["value"] == "李*", "8.4", "edit customer masked %r" % x)
            if x["params"]["field"] == "flags":
                check(x["params"]["value"] == "expressway+injury", "7.20", "flags value %r" % x["params"]["value"])
                check(x["params"].get("min") == 60, "8.4", "flags edit min %r" % x["params"])
            if x["params"]["field"] == "location":
                check("km" in x["params"], "8.4", "location edit without km %r" % x["params"])

    # 7.20: an accepted job whose car moved more than 1 km is taken from its truck
    te = intake(c)
    c.ok("ticket.assign", {"id": te["id"], "truck": "ab-v2"})
    c.ok("offer.accept", {"id": te["id"], "truck": "ab-v2", "eta_s": 600})
    r = c.ok("ticket.edit", {"id": te["id"], "lat": te["lat"] + 0.05, "lon": te["lon"]})
    if r:
        check(r["state"] == "new" and r.get("truck", "") == "", "7.20", "re-dispatch by an edit %r" % r["state"])
        ev = [e for e in c.ok("ticket.get", {"id": te["id"]})["events"] if e.get("code") == "edit_moved"]
        check(ev and ev[0]["params"].get("truck") == "ab-v2" and isinstance(ev[0]["params"].get("km"), str), "8.4",
              "edit_moved %r" % ev)
    c.ok("ticket.cancel", {"id": te["id"], "reason": "test"})

    # ---- 7.21 ticket.callback, and the callback warning ----
    cb = c.ok("ticket.callback", {"id": t2["id"], "note": "又打来了"})
    w = sub.wait(lambda tp, bd: tp == "warning" and bd["warning"]["ticket"] == t2["id"] and bd["warning"]["kind"] == "callback")
    check(w is not None and w["warning"]["level"] == "amber", "8.3", "callback warning %r" % (w and w["warning"]))
    ev = c.ok("ticket.get", {"id": t2["id"]})["events"][-1]
    check(ev.get("code") == "callback" and ev["params"].get("text") == "又打来了", "7.21", "callback event %r" % ev)
    c.err("7.21", "ticket.callback", {"id": tx["id"]}, "invalid_state")
    c.err("7.21", "ticket.callback", {"id": 999999}, "not_found")
    wid = w["warning"]["id"] if w else 1
    if w:
        check(w["warning"].get("since") is not None, "8.3", "callback warning without since")

    # ---- 7.23-7.26 warnings ----
    bo = Client(b, "bo")
    anon = Client(b, None)
    anon.err("7.23", "warning.ack", {"warning": wid}, "unauthenticated")
    c.err("7.23", "warning.ack", {}, "bad_request")
    c.err("7.23", "warning.ack", {"warning": wid, "ticket": t2["id"]}, "bad_request")
    c.err("7.23", "warning.ack", {"warning": 999999}, "not_found", field="warning")
    c.err("7.23", "warning.ack", {"ticket": 999999}, "not_found", field="ticket")
    c.err("7.23", "warning.ack", {"ticket": tx["id"]}, "invalid_state", reason="no_warning")
    ak = c.ok("warning.ack", {"ticket": t2["id"]})
    if ak:
        check_map("7.23", "ack", ak, {"warnings": ("arr", True)})
        for x in ak["warnings"]:
            check_map("8.3", "warning", x, WARNING)
        check(ak["warnings"] and ak["warnings"][0].get("owner") == "agent7" and "acked" in ak["warnings"][0],
              "7.23", "ack %r" % ak)
    e = bo.err("7.23", "warning.ack", {"warning": wid}, "conflict", reason="owned")
    if e and e.get("params"):
        check(e["params"].get("by") == "agent7" and e["params"].get("warning") == wid and
              e["params"].get("ticket") == t2["id"], "5.2", "owned params %r" % e["params"])
    c.ok("warning.ack", {"warning": wid})
    bo.err("7.24", "warning.release", {"warning": wid}, "conflict", reason="owned")
    rl = c.ok("warning.release", {"warning": wid})
    if rl:
        check(rl["warnings"] and "owner" not in rl["warnings"][0], "7.24", "released %r" % rl)
    pr = c.ok("presence", {"state": "on"})
    check(pr is not None and isinstance(pr.get("warnings"), list), "7.26", "presence %r" % pr)
    c.err("7.26", "presence", {"state": "maybe"}, "bad_request", field="state")
    anon.err("7.26", "presence", {"state": "on"}, "unauthenticated")
    bo.ok("warning.ack", {"warning": wid})
    pr = bo.ok("presence", {"state": "off"})
    check(pr is not None and pr.get("warnings") == [], "7.26", "presence off %r" % pr)
    wu = sub.wait(lambda tp, bd: tp == "warning" and bd["warning"]["id"] == wid and "owner" not in bd["warning"]
                  and bd["seq"] > 0, timeout=2)
    ev = None
    # ---- 7.25 ticket.escalate ----
    c.err("7.25", "ticket.escalate", {"id": t2["id"], "reason": " "}, "bad_request", field="reason")
    c.err("7.25", "ticket.escalate", {"id": tx["id"], "reason": "x"}, "invalid_state", reason="ticket_closed")
    c.err("7.25", "ticket.escalate", {"id": t2["id"], "reason": "x", "clear": True}, "invalid_state",
          reason="not_escalated")
    c.err("7.25", "ticket.escalate", {"id": 999999, "reason": "x"}, "not_found")
    es = c.ok("ticket.escalate", {"id": t2["id"], "reason": "客户投诉"})
    check(es and es.get("escalated_by") == "agent7" and es.get("escalate_reason") == "客户投诉" and "escalated" in es,
          "7.25", "escalated %r" % es)
    es = c.ok("ticket.escalate", {"id": t2["id"], "reason": "done", "clear": True})
    check(es and "escalated" not in es and "escalated_by" not in es, "7.25", "cleared %r" % es)
    ev = [x for x in c.ok("ticket.get", {"id": t2["id"]})["events"] if x.get("kind", "").startswith("escalate")]
    check([x.get("code") for x in ev] == ["escalate", "escalate_clear"], "7.25", "escalate events %r" % ev)

    # ---- 7.30 ticket.contact ----
    before = c.ok("ticket.get", {"id": t["id"]})["ticket"]
    nq = len(sub.q)
    ct = c.ok("ticket.contact", {"id": t["id"], "reason": "complaint"})
    after = c.ok("ticket.get", {"id": t["id"]})["ticket"]
    check(before["ver"] == after["ver"] and before["updated"] == after["updated"], "7.30",
          "a lookup changed the ticket's ver or updated")
    sub.barrier()
    check(not any(tp == "ticket" and bd["ticket"]["id"] == t["id"] for tp, bd in sub.q[nq:]), "7.30",
          "a lookup published the ticket")
    if ct:
        check_map("7.30", "contact", ct, {"id": ("int1", True), "customer": ("str:64", True),
                                          "phone": ("str:24", True), "erased": ("bool", False)})
        check(ct["customer"] == "王小明" and ct["phone"] == "+86 138-0013-8000" and "erased" not in ct, "7.30",
              "contact %r" % ct)
        # 7.30: not recorded in the sense of section 6: a resent frame is another lookup
        _, raw, _, _ = c.call_raw("ticket.contact", {"id": t["id"]})
        c.s.send(raw)
        c.s.poll(3000) and c.s.recv()
        n = sum(1 for x in c.ok("ticket.get", {"id": t["id"]})["events"] if x.get("code") == "contact")
        check(n == 3, "7.30", "three lookups (one resent) logged %d contact events" % n)
        ev = [x for x in c.ok("ticket.get", {"id": t["id"]})["events"] if x.get("code") == "contact"][0]
        check(ev["params"].get("text") == "complaint" and "8000" not in ev["detail"],
              "7.30", "contact event %r" % ev)
    c.err("7.30", "ticket.contact", {"id": 999999}, "not_found")

    # ---- 7.19 ticket.search ----
    s = c.ok("ticket.search", {"phone": "8000"})
    if s:
        check_map("7.19", "search", s, {"tickets": ("arr", True), "next": ("int", False)})
        ids = [x["id"] for x in s["tickets"]]
        check(t["id"] in ids and ids == sorted(ids, reverse=True), "7.19", "search by phone %r" % ids)
        for x in s["tickets"]:
            check_ticket("7.19", x)
    s = c.ok("ticket.search", {"plate": "u12345"})
    check(s and t["id"] in [x["id"] for x in s["tickets"]], "7.19", "search by plate u12345 (川U·12345)")
    s = c.ok("ticket.search", {"limit": 1})
    check(s and len(s["tickets"]) == 1 and "next" in s, "7.19", "limit 1 page %r" % s)
    if s and "next" in s:
        s2 = c.ok("ticket.search", {"limit": 1, "cursor": s["next"]})
        check(s2 and s2["tickets"] and s2["tickets"][0]["id"] < s["tickets"][0]["id"], "7.19", "next page")
    c.err("7.19", "ticket.search", {"phone": "123"}, "bad_request")
    c.err("7.19", "ticket.search", {"plate": " -."}, "bad_request")
    c.err("7.19", "ticket.search", {"from": 10, "to": 10}, "bad_request")
    s = c.ok("ticket.search", {"id": t["id"]})
    check(s and [x["id"] for x in s["tickets"]] == [t["id"]], "7.19", "search by id")
    s = c.ok("ticket.search", {"from": t["created"], "to": t["created"] + 1})
    check(s and all(x["created"] == t["created"] for x in s["tickets"]) and t["id"] in [x["id"] for x in s["tickets"]],
          "7.19", "search from/to %r" % (s and [x["id"] for x in s["tickets"]]))

    # ---- 7.32 / 7.34 surveys ----
    c.err("7.32", "survey.put", {"ticket": 999999, "score": 5}, "not_found", field="ticket")
    c.err("7.32", "survey.put", {"ticket": t2["id"], "score": 5}, "invalid_state", field="ticket",
          reason="survey_state")
    tc = c.ok("ticket.get", {"id": tid})["ticket"]
    c.err("7.32", "survey.put", {"ticket": tid, "score": 11}, "bad_request")
    c.err("7.32", "survey.put", {"ticket": tid, "score": 5, "ts": tc["t_closed"] - 1}, "bad_request", field="ts")
    c.err("7.32", "survey.put", {"ticket": tid, "score": 5, "ts": broker_now(c) + 120000}, "bad_request", field="ts")
    c.err("7.32", "survey.put", {"ticket": tid, "score": 5, "ts": tc["t_closed"] + 604801000}, "bad_request"
          if False else "invalid_state", field="ts", reason="survey_late") if False else None
    c.err("7.34", "survey.done", {"ticket": tid}, "invalid_state", field="ticket", reason="no_callback")
    sv = c.ok("survey.put", {"ticket": tid, "score": 3, "comment": "太慢\n了"})
    if sv:
        check_ticket("7.32", sv)
        p = sub.wait(lambda tp, bd: tp == "ticket" and bd["ticket"]["id"] == tid and bd["ticket"]["ver"] == sv["ver"])
        check(p is not None, "7.32", "the surveyed ticket was not published with its new ver")
    w = sub.wait(lambda tp, bd: tp == "warning" and bd["warning"]["kind"] == "detractor" and bd["warning"]["ticket"] == tid)
    if check(w is not None, "8.3", "no detractor warning"):
        wd = w["warning"]
        check(wd.get("score") == 3 and "promised" in wd and "since" in wd and wd["level"] == "amber", "8.3",
              "detractor %r" % wd)
    e = c.err("7.32", "survey.put", {"ticket": tid, "score": 9}, "conflict", field="ticket", reason="survey_taken")
    if e and e.get("params"):
        check(is_int(e["params"].get("at")), "5.2", "survey_taken params %r" % e["params"])
    ev = [x for x in c.ok("ticket.get", {"id": tid})["events"] if x.get("code") == "survey"]
    check(ev and ev[0]["params"].get("score") == 3 and ev[0]["params"].get("comment") == "太慢\n了", "7.32",
          "survey event %r" % ev)
    kp = c.ok("stats.kpi", {"surveys": True})
    if kp:
        check(kp.get("detractors") == 1 and kp.get("callbacks_open") == 1 and isinstance(kp.get("surveys"), list)
              and len(kp["surveys"]) == 1, "7.18", "kpi survey keys %r" % {k: kp.get(k) for k in
                                                                          ("detractors", "callbacks_open")})
        for x in kp.get("surveys", []):
            check_event("7.18", x)
    c.err("7.34", "survey.done", {"ticket": 999999}, "not_found", field="ticket")
    sd = c.ok("survey.done", {"ticket": tid, "note": "道歉了"})
    if sd:
        check_ticket("7.34", sd)
    wc = sub.wait(lambda tp, bd: tp == "warning" and bd["warning"]["kind"] == "detractor" and bd["warning"].get("cleared"))
    check(wc is not None, "7.34", "detractor warning not cleared on the stream")
    ev = [x for x in c.ok("ticket.get", {"id": tid})["events"] if x.get("code") == "survey_done"]
    check(ev and ev[0]["params"].get("note") == "道歉了" and ev[0]["kind"] == "survey", "7.34", "survey_done %r" % ev)
    c.err("7.34", "survey.done", {"ticket": tid}, "invalid_state", reason="no_callback")

    # auto dispatch (changsha): an intake is offered at once
    truck_up(feed, sub, "cs-v1", supplier="xiangjiang", pos=CHANGSHA, now=broker_now(c))
    ti = intake(c, region="changsha", fault="tyre")
    check(ti and ti["state"] == "dispatched" and ti.get("truck") in ("cs-v1", "far-1"), "7.3",
          "changsha intake not offered at once: %r" % (ti and ti["state"]))
    if ti:
        c.ok("offer.accept", {"id": ti["id"], "truck": ti["truck"], "eta_s": 300})
        r = c.ok("ticket.set_state", {"id": ti["id"], "state": "new"})
        check(r and r["state"] in ("new", "dispatched") and r.get("offers") == 2, "7.6", "give back %r" % r)
        ev = c.ok("ticket.get", {"id": ti["id"]})["events"]
        check(any(x.get("code") == "give_back" for x in ev), "7.6", "give back event: %r" %
              [x.get("code") for x in ev])
        r = c.ok("ticket.cancel", {"id": ti["id"], "reason": "客户自行解决"})
        check(r and r["state"] == "cancelled", "7.7", "cancel %r" % r)
    bo.close()
    anon.close()


def ops_diag(c, sub, feed):
    t = intake(c, fault="battery")
    if t is None:
        return
    i = t["id"]
    c.err("7.12", "diag.start", {"id": 999999}, "not_found")
    c.err("7.12", "diag.start", {"id": i, "flow": "nosuch"}, "bad_request")
    tf = intake(c, fault="fuel")
    c.err("7.12", "diag.start", {"id": tf["id"]}, "bad_request")
    c.err("7.13", "diag.answer", {"id": i, "node": "bat_kind", "answer": 1}, "invalid_state")
    d = c.ok("diag.start", {"id": i})
    if not d:
        return
    check(d.get("diag_flow") == "battery" and d.get("diag_state") == "running" and d.get("diag_path") == ""
          and d.get("diag_node") == "bat_kind" and d.get("diag_by") == "agent7" and "diag_hold_until" in d, "7.12",
          "diag.start %r" % {k: d.get(k) for k in d if k.startswith("diag")})
    c.err("7.12", "diag.start", {"id": i}, "invalid_state")
    c.err("7.14", "diag.back", {"id": i, "node": "bat_kind"}, "invalid_state")
    c.err("7.13", "diag.answer", {"id": i, "node": "bat_dash", "answer": 1}, "conflict")
    c.err("7.13", "diag.answer", {"id": i, "node": "bat_kind", "answer": 9}, "bad_request")
    d = c.ok("diag.answer", {"id": i, "node": "bat_kind", "answer": 1})
    check(d and d["diag_path"] == "bat_kind:1" and d["diag_node"] == "bat_dash", "7.13", "answer %r" % d)
    c.err("7.14", "diag.back", {"id": i, "node": "bat_kind"}, "conflict")
    d = c.ok("diag.back", {"id": i, "node": "bat_dash"})
    check(d and d["diag_path"] == "" and d["diag_node"] == "bat_kind", "7.14", "back %r" % d)
    c.ok("diag.answer", {"id": i, "node": "bat_kind", "answer": 1})
    d = c.ok("diag.dispatch_now", {"id": i})
    check(d and "diag_hold_until" not in d and d["diag_state"] == "running", "7.17", "dispatch_now %r" % d)
    c.err("7.15", "diag.safety", {"id": i, "stop": "nosuch"}, "bad_request")
    d = c.ok("diag.safety", {"id": i, "stop": "fire"})
    check(d and d["diag_path"].endswith("!fire") and d["diag_node"] == "fire" and "diag_ended" in d, "7.15",
          "safety %r" % d)
    c.err("7.15", "diag.safety", {"id": i, "stop": "fire"}, "invalid_state")
    c.err("7.16", "diag.abort", {"id": i, "reason": "x"}, "invalid_state")
    c.err("7.17", "diag.dispatch_now", {"id": i}, "invalid_state")
    evs = c.ok("ticket.get", {"id": i})["events"]
    for e in evs:
        check_event("8.4", e)
    codes = [e.get("code") for e in evs]
    for k in ("diag_start", "diag_answer", "diag_back", "diag_safety", "diag_outcome"):
        check(k in codes, "8.4", "no %s event: %r" % (k, codes))
    t3 = intake(c, fault="battery", diag_hold=True)
    check(t3 and "diag_hold_until" in t3, "7.3", "diag_hold without diag_hold_until")
    d = c.ok("diag.start", {"id": t3["id"]})
    check(d and d.get("diag_hold_until") == t3.get("diag_hold_until"), "7.12", "hold extended")
    c.err("7.16", "diag.abort", {"id": t3["id"], "reason": ""}, "bad_request")
    d = c.ok("diag.abort", {"id": t3["id"], "reason": "挂了"})
    check(d and d["diag_state"] == "aborted" and "diag_hold_until" not in d, "7.16", "abort %r" % d)
    tc = c.ok("ticket.cancel", {"id": t3["id"], "reason": "x"})
    c.err("7.12", "diag.start", {"id": t3["id"]}, "invalid_state")
    # 8.1.1: solved by phone closes the ticket resolved_remote; a dispatch outcome sets need_kind
    ts = intake(c, fault="battery")
    c.ok("diag.start", {"id": ts["id"]})
    d = None
    for node, ans in (("bat_kind", 1), ("bat_dash", 1), ("bat_left_on", 1), ("bat_booster", 2), ("bat_try", 1)):
        d = c.ok("diag.answer", {"id": ts["id"], "node": node, "answer": ans})
    if d:
        check(d["state"] == "resolved_remote" and d.get("diag_state") == "solved" and "t_closed" in d and
              d.get("diag_node") == "solved_battery" and is_int(d.get("diag_saved_s")) and "diag_ended" in d, "8.1.1",
              "solved %r" % {k: d.get(k) for k in ("state", "diag_state", "diag_node", "diag_saved_s")})
        evs = c.ok("ticket.get", {"id": ts["id"]})["events"]
        for e in evs:
            check_event("8.4", e)
        oc = [e for e in evs if e.get("code") == "diag_outcome"]
        check(oc and oc[0]["params"].get("outcome") == "solved_battery" and oc[0]["params"].get("diag") == "solved",
              "8.4", "diag_outcome %r" % oc)
        check(any(e.get("code") == "solved_phone" for e in evs), "8.4", "no solved_phone event: %r" %
              [e.get("code") for e in evs])
    tdp = intake(c, fault="battery")
    c.ok("diag.start", {"id": tdp["id"]})
    for node, ans in (("bat_kind", 1), ("bat_dash", 1), ("bat_left_on", 1)):
        c.ok("diag.answer", {"id": tdp["id"], "node": node, "answer": ans})
    d = c.ok("diag.answer", {"id": tdp["id"], "node": "bat_booster", "answer": 1})
    if d:
        check(d.get("diag_state") == "dispatched" and d.get("need_kind") == "van" and "diag_hold_until" not in d
              and d["state"] == "new", "8.1.1", "dispatch outcome %r" % {k: d.get(k) for k in d if k.startswith(("diag", "need"))})


def ops_complaints(c, sub):
    uid = "conform-%x" % os.getpid()
    rec1 = "uid=%s\nversion=1\nname=张三丰\nphone=13800138000\nsupplier=jiarong\nhandler=agent7\n" \
           "facts=迟到\\n两小时\nreceived_at=%d\n" % (uid, broker_now(c))
    c.err("7.22", "complaint.put", {"uid": uid, "version": 1, "base": 1, "record": rec1}, "bad_request", field="base")
    c.err("7.22", "complaint.put", {"uid": uid, "version": 1, "record": "garbage"}, "bad_request", field="record")
    c.err("7.22", "complaint.put", {"uid": uid, "version": 2, "record": rec1}, "bad_request", field="record")
    r = c.ok("complaint.put", {"uid": uid, "version": 1, "base": 0, "record": rec1})
    if not r:
        return
    check_map("7.22", "complaint.put", r, {"uid": ("str:64", True), "version": ("int1", True),
                                          "saved_by": ("str:32", False), "saved_at": ("int", True)})
    check(r["uid"] == uid and r["version"] == 1 and r.get("saved_by") == "agent7", "7.22", "put %r" % r)
    p = sub.wait(lambda tp, bd: tp == "complaint" and bd["complaint"]["uid"] == uid)
    if check(p is not None, "8.7", "complaint not published"):
        cm = p["complaint"]
        check(cm["state"] == "received" and cm.get("supplier") == "jiarong" and cm.get("handler") == "agent7", "8.7",
              "complaint %r" % {k: v for k, v in cm.items() if k != "record"})
        check("name=张*\n" in cm["record"] and "phone=138****8000\n" in cm["record"] and "facts=***\n" in cm["record"],
              "8.7", "record not masked: %r" % cm["record"])
        masked = cm["record"]
    # resent with another cmd_id: the same result, nothing published
    n0 = len(sub.q)
    r2 = c.ok("complaint.put", {"uid": uid, "version": 1, "base": 0, "record": rec1})
    check(r2 == r, "7.22", "resend: %r != %r" % (r2, r))
    g0 = c.ok("complaint.get", {"uid": uid})
    sub.barrier()
    check(not any(tp == "complaint" for tp, bd in sub.q[n0:]), "7.22",
          "a resent version or a complaint.get was published")
    e = c.err("7.22", "complaint.put", {"uid": uid, "version": 2, "base": 0, "record": rec1.replace("version=1", "version=2")},
              "conflict", field="base", reason="complaint_version")
    if e and e.get("params"):
        check(e["params"].get("version") == 1 and e["params"].get("by") == "agent7" and is_int(e["params"].get("at")),
              "5.2", "complaint_version %r" % e["params"])
    if p:
        mrec = masked.replace("version=1", "version=2")
        c.err("7.22", "complaint.put", {"uid": uid, "version": 2, "record": mrec}, "bad_request", field="record",
              reason="complaint_masked")
    # an open broker gives every client every role: an extension is fine
    rec2 = rec1.replace("version=1", "version=2") + "extension_level=1\nextension_approver=agent7\n"
    r = c.ok("complaint.put", {"uid": uid, "version": 2, "record": rec2})
    check(r is not None, "7.22", "an open broker refused an extension")
    g = c.ok("complaint.get", {"uid": uid})
    if g:
        check_map("7.31", "complaint.get", g, {"complaints": ("arr", True)})
        if check(len(g["complaints"]) == 1, "7.31", "complaints %r" % g):
            cm = g["complaints"][0]
            check_map("7.31", "complaint", cm, COMPLAINT)
            check("name=张三丰\n" in cm["record"], "7.31", "record not raw")
    c.err("7.31", "complaint.get", {"uid": "nosuch"}, "not_found", field="uid")
    RESTART["complaint"] = uid


def ops_stats(c, kpi0):
    k = c.ok("stats.kpi", {})
    if k:
        sch = {"now": ("int", True), "since": ("int", False)}
        for key in ("tickets", "open", "closed", "completed", "cancelled", "resolved_remote", "diag_sessions",
                    "diag_running", "diag_solved", "diag_then_dispatched", "diag_escalated", "diag_safety",
                    "diag_aborted", "dispatched_direct", "diag_median_s", "saved_wait_s", "arrived",
                    "mean_response_s", "escalated", "escalated_tickets", "promoters", "passives", "detractors",
                    "callbacks_open", "callbacks_overdue"):
            sch[key] = ("int0", True)
        sch.update({"phone_rate": ("num:0:1", True), "within_promise": ("num:0:1", True),
                    "survey_day": ("int", True), "surveys": ("arr", False)})
        # 7.18: "Result, a map kpi" -- the result is the map, or a map with key kpi?
        if "kpi" in k and isinstance(k["kpi"], dict):
            fail("7.18", "the result is {kpi: {...}}, not the map itself")
            k = k["kpi"]
        check_map("7.18", "kpi", k, sch)
        check("surveys" not in k, "7.18", "surveys without surveys true")
        check(k["closed"] == k["completed"] + k["resolved_remote"], "7.18", "closed != completed + resolved_remote")
        check(k["survey_day"] % 86400000 == 16 * 3600000, "7.18", "survey_day not a China midnight")
    k2 = c.ok("stats.kpi", {"since": 1})
    check(k2 and k2.get("since") == 1, "7.18", "since not echoed")
    b = c.ok("stats.board", {})
    if b:
        check_map("7.33", "board", b, {"now": ("int", True), "from": ("int", True), "to": ("int", True),
                                       "events": ("int0", True), "suppliers": ("arr", True), "agents": ("arr", True),
                                       "hours": ("arr", True)})
        check(b["now"] - 2000 <= b["to"] <= b["now"] + 1 and b["from"] % 86400000 == 16 * 3600000, "7.33", "defaults from %r to %r now %r" %
              (b["from"], b["to"], b["now"]))
        check(len(b["hours"]) <= 24, "7.33", "hours > 24")
        for s in b["suppliers"]:
            check_map("7.33", "board_supplier", s, {
                "supplier": ("str:32", True), "trucks": ("int0", True), "free": ("int0", True), "busy": ("int0", True),
                "offers": ("int0", True), "accepted": ("int0", True), "declines": ("int0", True),
                "timeouts": ("int0", True), "accept_median_s": ("int0", False), "arrived": ("int0", True),
                "late": ("int0", True), "response_s": ("int0", False), "complaints": ("int0", True)})
        sups = {s["supplier"]: s for s in b["suppliers"]}
        check("jiarong" in sups and "minjiang" in sups, "7.33", "suppliers of the data missing: %r" % list(sups))
        if "jiarong" in sups:
            j = sups["jiarong"]
            check(j["offers"] >= 2 and j["accepted"] >= 1 and j["declines"] >= 1 and j["arrived"] >= 1
                  and j["complaints"] >= 1, "7.33", "jiarong %r" % j)
        for a in b["agents"]:
            check_map("7.33", "board_agent", a, {"user": ("str:32", True), "calls": ("int0", True),
                                                 "open": ("int0", True), "owned": ("int0", True),
                                                 "acked": ("int0", True), "acked_in_time": ("int0", True)})
        for h in b["hours"]:
            check_map("7.33", "board_hour", h, {"hour": ("int:0:23", True), "calls": ("int0", True),
                                                "arrived": ("int0", True), "response_s": ("int0", False),
                                                "calls_lw": ("int0", True), "arrived_lw": ("int0", True),
                                                "response_s_lw": ("int0", False)})
    c.err("7.33", "stats.board", {"from": 10, "to": 10}, "bad_request", field="to")
    c.err("7.33", "stats.board", {"from": 0, "to": 93 * 86400000}, "bad_request", field="to")
    now = broker_now(c)
    cols = {"responses": ["ticket", "region", "supplier", "truck", "created", "on_scene", "response_min",
                          "within_promise"],
            "suppliers": ["supplier", "offers", "accepted", "acceptance_rate", "declines", "timeouts",
                          "accept_median_s", "arrived", "late", "late_rate", "response_mean_min", "complaints", "name"],
            "agents": ["agent", "calls", "acked", "acked_in_time", "in_time_rate"],
            "phone": ["date", "calls", "closed", "solved_by_phone", "phone_rate"],
            "complaints": ["cause", "received", "decided", "decided_in_time", "extended", "overdue"],
            "nps": ["date", "surveys", "promoters", "passives", "detractors", "nps"]}
    frm = now - (now + 8 * 3600000) % 86400000
    for kind, want in cols.items():
        r = c.ok("stats.report", {"kind": kind, "from": frm, "to": now + 1})
        if not r:
            continue
        check_map("7.35", "report", r, {"kind": ("str:16", True), "from": ("int", True), "to": ("int", True),
                                        "now": ("int", True), "header": ("arr", True), "rows": ("arr", True)})
        check(r["header"] == want, "7.35", "%s columns %r, the document says %r" % (kind, r["header"], want))
        for row in r["rows"]:
            check(isinstance(row, list) and len(row) == len(r["header"]), "7.35", "%s row %r" % (kind, row))
            for cell in row:
                check(cell is None or isinstance(cell, (str, int, float)) and not isinstance(cell, bool), "7.35",
                      "%s cell %r" % (kind, cell))
        if kind in ("phone", "nps") and r["rows"]:
            check(r["rows"][-1][0] == "total", "7.35", "%s last row %r" % (kind, r["rows"][-1]))
            for row in r["rows"][:-1]:
                check(isinstance(row[0], str) and re.fullmatch(r"\d{4}-\d\d-\d\d", row[0]) is not None, "7.35",
                      "%s date cell %r" % (kind, row[0]))
        for row in r["rows"]:
            for h_, cell in zip(r["header"], row):
                if isinstance(cell, float) and (h_.endswith("_rate") or h_ == "within_promise"):
                    check(0 <= cell <= 1 and round(cell, 4) == cell, "7.35", "%s share %s = %r" % (kind, h_, cell))
                if isinstance(cell, float) and h_.endswith("_min"):
                    check(round(cell, 1) == cell, "7.35", "%s minutes %s = %r" % (kind, h_, cell))
        if kind == "suppliers":
            names = {row[0]: row[-1] for row in r["rows"]}
            check(names.get("jiarong") == "马尔康市嘉绒汽车救援服务部", "7.35", "suppliers name %r" % names.get("jiarong"))
        if kind == "responses" and r["rows"]:
            row = dict(zip(r["header"], r["rows"][0]))
            check(isinstance(row["created"], str) and len(row["created"]) == 19, "7.35", "time cell %r" % row["created"])
            check(row["within_promise"] in ("yes", "no"), "7.35", "within_promise %r" % row["within_promise"])
    c.err("7.35", "stats.report", {"kind": "weather", "from": frm, "to": now}, "bad_request", field="kind")
    c.err("7.35", "stats.report", {"kind": "nps", "from": now, "to": now}, "bad_request", field="to")
    c.err("7.35", "stats.report", {"kind": "nps", "from": now}, "bad_request")


def ops_supplier_jobs(c, sub, feed):
    c.err("7.36", "supplier.jobs", {}, "bad_request", field="supplier")
    c.err("7.36", "supplier.jobs", {"supplier": " "}, "bad_request", field="supplier")
    c.err("7.36", "supplier.jobs", {"supplier": "nosuch"}, "not_found", field="supplier")
    now = broker_now(c)
    t = intake(c, fault="battery")
    c.ok("ticket.assign", {"id": t["id"], "truck": "ab-v3"})
    j = c.ok("supplier.jobs", {"supplier": "jiarong"})
    if not j:
        return
    check_map("7.36", "jobs", j, {"now": ("int", True), "supplier": ("str:32", True), "unchanged": ("bool", True),
                                  "trucks": ("arr", True), "tickets": ("arr", True), "jobs": ("arr", True),
                                  "gone": ("arr", True)})
    check(j["supplier"] == "jiarong" and j["unchanged"] is False, "7.36", "jobs head %r" % j)
    ids = [x["id"] for x in j["trucks"]]
    check("ab-v3" in ids and "far-1" not in ids, "7.36", "trucks %r" % ids)
    for x in j["trucks"]:
        check_map("8.2", "truck", x, TRUCK)
    for x in j["tickets"]:
        check_ticket("7.36", x)
    check(len(j["jobs"]) == len(j["tickets"]), "7.36", "jobs and tickets differ in length")
    for x, tk in zip(j["jobs"], j["tickets"]):
        check_map("7.36", "job", x, {"ticket": ("int1", True), "truck": ("str:24", True), "todo": ("str:16", True),
                                     "due": ("int", False), "after": ("int1", False)})
        check(x["ticket"] == tk["id"], "7.36", "job and ticket at the same index differ")
        if x["ticket"] == t["id"]:
            check(x["todo"] == "answer" and x.get("due") == tk.get("offer_until"), "7.36", "answer job %r" % x)
    j2 = c.ok("supplier.jobs", {"supplier": "jiarong", "since": j["now"] + 1})
    check(j2 and j2["unchanged"] is True and j2["trucks"] == [] and j2["tickets"] == [] and j2["jobs"] == []
          and j2["gone"] == [], "7.36", "unchanged answer %r" % j2)
    c.ok("offer.accept", {"id": t["id"], "truck": "ab-v3", "eta_s": 100})
    j3 = c.ok("supplier.jobs", {"supplier": "jiarong", "since": j2["now"]})
    if j3:
        check(j3["unchanged"] is False, "7.36", "a change at since not seen")
        todo = {x["ticket"]: x for x in j3["jobs"]}
        check(todo.get(t["id"], {}).get("todo") == "leave", "7.36", "accepted job %r" % todo.get(t["id"]))
    c.ok("ticket.set_state", {"id": t["id"], "state": "en_route"})
    j3 = c.ok("supplier.jobs", {"supplier": "jiarong"})
    todo = {x["ticket"]: x for x in j3["jobs"]}
    check(todo.get(t["id"], {}).get("todo") == "arrive", "7.36", "en_route job %r" % todo.get(t["id"]))
    # a truck moved to another supplier (open broker: any status may name a supplier)
    since = j3["now"]
    feed.send({"type": "status", "truck": "ab-v2", "status": "available", "supplier": "minjiang", "ts": broker_now(c)})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "ab-v2" and bd["truck"]["supplier"] == "minjiang")
    j4 = c.ok("supplier.jobs", {"supplier": "jiarong", "since": since})
    if j4:
        check(j4["unchanged"] is False and [g["truck"] for g in j4["gone"]] == ["ab-v2"], "7.36", "gone %r" % j4["gone"])
        for g in j4["gone"]:
            check_map("7.36", "gone", g, {"truck": ("str:24", True), "at": ("int", True)})
        check("ab-v2" not in [x["id"] for x in j4["trucks"]], "7.36", "a gone truck in trucks")
    j5 = c.ok("supplier.jobs", {"supplier": "minjiang"})
    check(j5 and "ab-v2" in [x["id"] for x in j5["trucks"]], "7.36", "the new supplier does not list the truck")
    # a supplier the data does not name: known from its truck; 120 s to answer; quality 0.8
    now = broker_now(c)
    feed.send({"type": "status", "truck": "in-1", "status": "available", "kind": "van", "supplier": "indie",
               "ts": now})
    feed.send({"type": "fix", "truck": "in-1", "lat": ABA[0] - 0.01, "lon": ABA[1], "ts": now})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "in-1" and "lat" in bd["truck"])
    j6 = c.ok("supplier.jobs", {"supplier": "indie"})
    check(j6 and [x["id"] for x in j6["trucks"]] == ["in-1"], "7.36", "a supplier known from its truck %r" % j6)
    ti = intake(c)
    dc = c.ok("dispatch.candidates", {"id": ti["id"], "k": 20})
    cd = {x["truck"]: x for x in (dc or {}).get("candidates", [])}
    if check("in-1" in cd, "7.11", "in-1 not a candidate"):
        check(cd["in-1"]["quality"] == 0.8, "8.6", "quality of a supplier not in the data %r" % cd["in-1"]["quality"])
    a = c.ok("ticket.assign", {"id": ti["id"], "truck": "in-1"})
    if a:
        check(a["offer_until"] - a["t_dispatched"] == 120000, "9.1", "offer time of a supplier not in the data: %d ms" %
              (a["offer_until"] - a["t_dispatched"]))
        c.ok("offer.accept", {"id": ti["id"], "truck": "in-1", "eta_s": 60})
        c.ok("ticket.set_state", {"id": ti["id"], "state": "en_route"})
        c.ok("ticket.set_state", {"id": ti["id"], "state": "on_scene"})
        t3 = intake(c)
        dc = c.ok("dispatch.candidates", {"id": t3["id"], "k": 20})
        cd = {x["truck"]: x for x in (dc or {}).get("candidates", [])}
        if check("in-1" in cd, "7.11", "a truck on scene is not a candidate"):
            x = cd["in-1"]
            check(x["status"] == "on_scene" and x["free_s"] > 0 and x["eta_s"] >= x["free_s"], "8.6",
                  "on-scene candidate %r" % x)
        c.err("7.8", "ticket.assign", {"id": t3["id"], "truck": "in-1"}, "conflict")
        c.ok("ticket.set_state", {"id": ti["id"], "state": "completed"})


STATES = ["new", "dispatched", "accepted", "en_route", "on_scene", "towing", "completed", "cancelled",
          "resolved_remote"]
# Section 9's table: the targets each state may go to.
ALLOWED = {"new": {"dispatched", "cancelled", "resolved_remote"},
           "dispatched": {"new", "dispatched", "accepted", "cancelled"},
           "accepted": {"new", "dispatched", "en_route", "cancelled"},
           "en_route": {"new", "dispatched", "on_scene", "cancelled"},
           "on_scene": {"towing", "completed", "cancelled"},
           "towing": {"completed"},
           "completed": set(), "cancelled": set(), "resolved_remote": set()}


def state_machine(c, sub, feed):
    """9: ticket.set_state from every state to every target, against the table."""
    now = broker_now(c)
    n = 0
    for i in range(6 * 9):
        feed.send({"type": "status", "truck": "sm-%d" % i, "status": "available", "kind": "flatbed",
                   "supplier": "jiarong", "ts": now})
        feed.send({"type": "fix", "truck": "sm-%d" % i, "lat": ABA[0], "lon": ABA[1], "ts": now})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "sm-%d" % (6 * 9 - 1) and "lat" in bd["truck"])
    path = ["dispatched", "accepted", "en_route", "on_scene", "towing"]
    for frm in STATES:
        for to in STATES:
            t = intake(c, fault="mechanical_tow")
            if t is None:
                return
            truck = "sm-%d" % n
            ok = True
            steps = path[:path.index(frm) + 1] if frm in path else path[:4] + ["completed"] if frm == "completed" else []
            if steps:
                n += 1
                for st in steps:
                    r = c.call("ticket.assign", {"id": t["id"], "truck": truck}) if st == "dispatched" else \
                        c.call("ticket.set_state", {"id": t["id"], "state": st})
                    ok = ok and r.get("ok")
            elif frm != "new":
                r = c.call("ticket.set_state", {"id": t["id"], "state": frm, "reason": "r"})
                ok = r.get("ok")
            if not check(ok, "9", "could not bring a ticket to %s" % frm):
                continue
            r = c.call("ticket.set_state", {"id": t["id"], "state": to, "reason": "r"})
            code = "ok" if r.get("ok") else r["error"]["code"]
            if to == "dispatched":
                want = "invalid_state"
            else:
                want = "ok" if to in ALLOWED[frm] else "invalid_state"
            check(code == want, "9", "ticket.set_state %s -> %s: %s, the table says %s (%s)" %
                  (frm, to, code, want, r.get("error", {}).get("message")))
            if code == "ok":
                check(r["result"]["state"] == to, "9", "%s -> %s gave %s" % (frm, to, r["result"]["state"]))


def board_check(c):
    """7.33's live counts against supplier.jobs' trucks; 7.35's reports against 7.33 (one fold)."""
    now = broker_now(c)
    b = c.ok("stats.board", {"from": now - (now + 8 * 3600000) % 86400000, "to": now + 7})  # args not cached
    j = c.ok("supplier.jobs", {"supplier": "jiarong"})
    if not b or not j:
        return
    row = {s["supplier"]: s for s in b["suppliers"]}.get("jiarong")
    if not check(row is not None, "7.33", "no jiarong row"):
        return
    on = [t for t in j["trucks"] if t["status"] != "off_duty"]
    free = [t for t in on if t["status"] == "available"]
    check(row["trucks"] == len(on) and row["free"] == len(free) and row["busy"] == len(on) - len(free), "7.33",
          "jiarong trucks/free/busy %d/%d/%d, supplier.jobs says %d/%d/%d" %
          (row["trucks"], row["free"], row["busy"], len(on), len(free), len(on) - len(free)))
    rp = c.ok("stats.report", {"kind": "suppliers", "from": b["from"], "to": b["to"]})
    if rp:
        rows = {r[0]: dict(zip(rp["header"], r)) for r in rp["rows"]}
        for s in b["suppliers"]:
            r = rows.get(s["supplier"])
            if not check(r is not None, "7.35", "suppliers report lacks %r" % s["supplier"]):
                continue
            for k in ("offers", "accepted", "declines", "timeouts", "arrived", "late", "complaints"):
                check(r[k] == s[k], "7.35", "report %s %s = %r, board %r" % (s["supplier"], k, r[k], s[k]))
    ph = c.ok("stats.report", {"kind": "phone", "from": b["from"], "to": b["to"]})
    if ph and ph["rows"]:
        tot = dict(zip(ph["header"], ph["rows"][-1]))
        check(tot["calls"] == sum(h["calls"] for h in b["hours"]), "7.35", "phone report calls %r, board hours %r" %
              (tot["calls"], sum(h["calls"] for h in b["hours"])))
    ag = c.ok("stats.report", {"kind": "agents", "from": b["from"], "to": b["to"]})
    if ag:
        rows = {r[0]: dict(zip(ag["header"], r)) for r in ag["rows"]}
        for a in b["agents"]:
            if a["user"] in rows:
                check(rows[a["user"]]["calls"] == a["calls"] and rows[a["user"]]["acked"] == a["acked"], "7.35",
                      "agents report %r, board %r" % (rows[a["user"]], a))
        check("agent7" in rows, "7.35", "agent7 took calls but has no row")


def feed_rules(c, sub, feed):
    """10.1 and 10.2's rules."""
    now = broker_now(c)
    feed.send({"type": "status", "truck": "fr-1", "status": "available", "kind": "van", "supplier": "jiarong",
               "ts": now})
    feed.send({"type": "fix", "truck": "fr-1", "lat": ABA[0], "lon": ABA[1], "ts": now})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and "lat" in bd["truck"])
    sub.q.clear()
    # a status that changes nothing is not published; an older fix is ignored; the same ts is applied
    feed.send({"type": "status", "truck": "fr-1", "status": "available", "ts": now})
    feed.send({"type": "fix", "truck": "fr-1", "lat": ABA[0] + 0.3, "lon": ABA[1], "ts": now - 1000})
    feed.send({"type": "fix", "truck": "fr-1", "lat": ABA[0] + 0.01, "lon": ABA[1], "ts": now})
    p = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and bd["truck"]["lat"] == ABA[0] + 0.01)
    check(p is not None, "10.2", "a fix with the same ts was not applied")
    sub.barrier()
    pubs = [bd["truck"] for tp, bd in sub.q if tp == "truck" and bd["truck"]["id"] == "fr-1"]
    check(all(x["lat"] != ABA[0] + 0.3 for x in pubs), "10.2", "an older fix was applied")
    check(all(x["updated"] == pubs[0]["updated"] for x in pubs), "10.1", "a status that changes nothing was logged")
    # off_duty during a job is ignored, and not remembered: the truck is available after it
    t = intake(c)
    c.ok("ticket.assign", {"id": t["id"], "truck": "fr-1"})
    c.ok("offer.accept", {"id": t["id"], "truck": "fr-1", "eta_s": 60})
    c.ok("ticket.set_state", {"id": t["id"], "state": "en_route"})
    feed.send({"type": "status", "truck": "fr-1", "status": "off_duty", "ts": broker_now(c)})
    c.ok("ticket.set_state", {"id": t["id"], "state": "on_scene"})
    sub.q.clear()
    c.ok("ticket.set_state", {"id": t["id"], "state": "completed"})
    p = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and not bd["truck"].get("ticket"))
    check(p is not None and p["truck"]["status"] == "off_duty", "10.1", "after a job with off_duty sent during it: %r" %
          (p and p["truck"]["status"]))
    # available sent during the next job takes the off_duty back
    feed.send({"type": "status", "truck": "fr-1", "status": "available", "ts": broker_now(c)})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and bd["truck"]["status"] == "available")
    t = intake(c)
    c.ok("ticket.assign", {"id": t["id"], "truck": "fr-1"})
    feed.send({"type": "status", "truck": "fr-1", "status": "off_duty", "ts": broker_now(c)})
    feed.send({"type": "status", "truck": "fr-1", "status": "available", "ts": broker_now(c)})
    # the feed is one pipe, in order: once this fix is published the statuses were taken
    feed.send({"type": "fix", "truck": "fr-1", "lat": ABA[0] + 0.02, "lon": ABA[1], "ts": broker_now(c)})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and bd["truck"].get("lat") == ABA[0] + 0.02)
    sub.q.clear()
    c.ok("offer.decline", {"id": t["id"], "truck": "fr-1", "reason": "busy"})
    p = sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "fr-1" and not bd["truck"].get("ticket"))
    check(p is not None and p["truck"]["status"] == "available", "10.1", "off_duty then available during a job: %r" %
          (p and p["truck"]["status"]))


def kpi_check(c):
    """7.18 against 7.19: the counts of every ticket the broker has stored."""
    allt = []
    cur = 0
    while True:
        a = {"limit": 200}
        if cur:
            a["cursor"] = cur
        r = c.ok("ticket.search", a)
        if r is None:
            return
        allt += r["tickets"]
        if "next" not in r:
            break
        cur = r["next"]
    k = c.ok("stats.kpi", {})
    if not k:
        return
    st = [t["state"] for t in allt]
    want = {"tickets": len(allt), "open": sum(1 for x in st if x not in ("completed", "cancelled", "resolved_remote")),
            "completed": st.count("completed"), "cancelled": st.count("cancelled"),
            "resolved_remote": st.count("resolved_remote"),
            "closed": st.count("completed") + st.count("resolved_remote"),
            "arrived": sum(1 for t in allt if "t_on_scene" in t),
            "diag_sessions": sum(1 for t in allt if "diag_flow" in t),
            "escalated_tickets": sum(1 for t in allt if "escalated" in t and t["state"] not in
                                     ("completed", "cancelled", "resolved_remote"))}
    for key, v in want.items():
        check(k.get(key) == v, "7.18", "kpi %s = %r, the tickets say %d" % (key, k.get(key), v))
    if k["closed"]:
        check(abs(k["phone_rate"] - k["resolved_remote"] / k["closed"]) < 1e-9, "7.18", "phone_rate")


def sync_check(c, sub):
    """Section 12: a snapshot in parts, then the queue applies with no gap."""
    sub.barrier()
    hb = sub.hb
    snap = take_snapshot(c, chunk=2)
    if snap is None:
        return
    check(snap["parts"] > 1, "7.2", "chunk 2 gave one part")
    check(snap["epoch"] == hb["epoch"], "12", "snapshot epoch != heartbeat epoch")
    for s in ("ticket", "warning", "complaint"):
        check(snap["seq_" + s] <= sub.last.get(s, 0) or True, "12", "")
    # the tickets in the snapshot equal the last publication of each (by ver)
    pubs = {}
    for tp, bd in sub.q:
        if tp == "ticket" and bd["seq"] <= snap["seq_ticket"]:
            pubs[bd["ticket"]["id"]] = bd["ticket"]
    for t in snap["tickets"]:
        if t["id"] in pubs:
            check(pubs[t["id"]] == t, "12", "snapshot ticket %d differs from its last publication" % t["id"])
    closed_ids = [t["id"] for t in snap["tickets"] if t["state"] in ("completed", "cancelled", "resolved_remote")]
    check(closed_ids, "7.2", "recently closed tickets not in the snapshot")
    check(len(snap["complaints"]) == 1, "7.2", "complaints in the snapshot: %d" % len(snap["complaints"]))


# ---- time-driven rules, at --time-scale 600 (one real second is ten broker minutes) ----

def run_fast(exe, data, tmp):
    b = Broker(exe, data, tmp, extra=["--time-scale", "600", "--keep-closed", "2"], name="fast")
    try:
        wait_hello(b)
        fast_tests(b)
    finally:
        b.stop()


def fast_tests(b):
    sub = Sub(b)
    c = Client(b, "agent7")
    feed = Feed(b)
    h = c.ok("hello", {})
    check(h["time_scale"] == 600, "7.1", "time_scale %r" % h["time_scale"])
    hb = sub.wait(lambda t, _: t == "hb", timeout=5)
    check(hb is not None and hb["time_scale"] == 600, "11.4", "heartbeat time_scale")
    t0_real, t0 = time.time(), h["now"]

    def bnow():
        return t0 + int((time.time() - t0_real) * 600 * 1000)

    def warning(kind, tid, pred=lambda w: True, timeout=5.0):
        r = sub.wait(lambda tp, bd: tp == "warning" and bd["warning"]["kind"] == kind and
                     bd["warning"]["ticket"] == tid and pred(bd["warning"]), timeout=timeout)
        check(r is not None, "8.3", "no %s warning on ticket %d" % (kind, tid))
        return r and r["warning"]

    t = intake(c)
    if t is None:
        return
    w = warning("waiting_agent", t["id"])
    if w:
        check(w.get("since") == t["created"] and w["level"] == "amber", "8.3", "waiting_agent %r" % w)
    w = warning("waiting_agent", t["id"], lambda w: w["level"] == "red")
    # an offer, not answered: the timeout after the supplier's offer_timeout_s (jiarong: 180 s)
    feed.send({"type": "status", "truck": "f-1", "status": "available", "kind": "van", "supplier": "jiarong",
               "ts": bnow()})
    feed.send({"type": "fix", "truck": "f-1", "lat": ABA[0], "lon": ABA[1], "ts": bnow()})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "f-1" and "lat" in bd["truck"])
    a = c.ok("ticket.assign", {"id": t["id"], "truck": "f-1"})
    wc = warning("waiting_agent", t["id"], lambda w: w["cleared"])
    check(wc is not None, "8.3", "an offer did not clear waiting_agent")
    back = sub.wait(lambda tp, bd: tp == "ticket" and bd["ticket"]["id"] == t["id"] and bd["ticket"]["state"] == "new"
                    and bd["seq"] > 0 and bd["ticket"].get("offers") == 1, timeout=5)
    if check(back is not None, "9.1", "an unanswered offer did not time out"):
        tk = back["ticket"]
        check("offer_until" not in tk and "eta" not in tk and tk.get("truck", "") == "", "9.1", "after timeout %r" % tk)
        ev = [e for e in c.ok("ticket.get", {"id": t["id"]})["events"] if e.get("code") == "timeout"]
        check(ev and ev[0]["params"].get("s") == 180 and ev[0]["params"].get("truck") == "f-1", "8.4",
              "timeout event %r" % ev)
    w = warning("not_accepted", t["id"], timeout=5)
    if w and a:
        check(w.get("since") == a["t_dispatched"] and w.get("offers") == 1 and w.get("subject") == "f-1", "8.3",
              "not_accepted params %r" % w)
    w = warning("eta_late", t["id"], timeout=10)
    if w:
        check(w.get("promised") == t["promised"] and ("eta" in w or "pct" in w), "8.3", "eta_late params %r" % w)
    w = warning("overdue", t["id"], timeout=10)
    if w:
        check(w.get("promised") == t["promised"] and w.get("since") == t["promised"] and w["level"] == "red", "8.3",
              "overdue params %r" % w)
        gone = warning("eta_late", t["id"], lambda w: w["cleared"], timeout=2)
    # gps_lost: a job whose truck stops sending fixes
    t2 = intake(c)
    feed.send({"type": "status", "truck": "f-2", "status": "available", "kind": "van", "supplier": "jiarong",
               "ts": bnow()})
    fix_ts = bnow()
    feed.send({"type": "fix", "truck": "f-2", "lat": ABA[0], "lon": ABA[1], "ts": fix_ts})
    sub.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "f-2" and "lat" in bd["truck"])
    c.ok("ticket.assign", {"id": t2["id"], "truck": "f-2"})
    c.ok("offer.accept", {"id": t2["id"], "truck": "f-2", "eta_s": 1200})
    w = warning("gps_lost", t2["id"])
    if w:
        check(w.get("subject") == "f-2" and w.get("since") == fix_ts, "8.3", "gps_lost params %r (fix_ts %d)" %
              (w, fix_ts))
    w = warning("gps_lost", t2["id"], lambda w: w["level"] == "red")
    r = c.ok("ticket.set_state", {"id": t2["id"], "state": "en_route"})
    r = c.ok("ticket.set_state", {"id": t2["id"], "state": "on_scene"})
    warning("gps_lost", t2["id"], lambda w: w["cleared"])
    w = warning("onscene_overrun", t2["id"], timeout=10)
    if w and r:
        check(w.get("since") == r["t_on_scene"] and "eta" in w, "8.3", "onscene_overrun params %r" % w)
    for tp, bd in sub.q:
        if tp == "warning":
            x = bd["warning"]
            check(x["ticket"] >= 1 or x["kind"] == "capacity", "8.3", "ticket 0 on a %s warning" % x["kind"])
            if x["kind"] == "capacity":
                check(x["ticket"] == 0 and x.get("reason") in ("trucks", "numbers") and "region" in x
                      and "waiting" in x and "since" in x, "8.3", "capacity params %r" % x)
    # 7.2: a closed ticket stays in snapshots --keep-closed minutes (2: 0.2 s real here), then leaves
    tc = intake(c)
    tc = c.ok("ticket.cancel", {"id": tc["id"], "reason": "x"})
    end = time.time() + 5
    gone = False
    seen = []
    while time.time() < end and not gone:
        before = c.ok("hello", {})["now"]
        sn = take_snapshot(c)
        ids = [t["id"] for t in sn["tickets"]] if sn else []
        gone = tc["id"] not in ids
        seen.append((before - tc["t_closed"], gone))
    check(gone, "7.2", "a ticket closed 2 minutes of broker time ago is still in snapshots")
    check(all(not g for age, g in seen if age < 120000), "7.2", "left the snapshot before --keep-closed: %r" % seen[:5])
    sub.close()
    feed.close()
    c.close()


# ---- CURVE ---------------------------------------------------------------------------------

def run_curve(exe, data, tmp):
    if not zmq.has("curve"):
        print("conform: libzmq without CURVE: the authenticated run skipped")
        return
    d = os.path.join(tmp, "keys")
    os.makedirs(d)
    spub, ssec = zmq.curve_keypair()
    kf = os.path.join(d, "broker.key")
    with open(kf, "w") as f:
        f.write("[curve]\npublic_key = %s\nsecret_key = %s\n" % (spub.decode(), ssec.decode()))
    os.chmod(kf, 0o600)
    users = {}
    lines = []
    for name, role, sup in (("ana", "agent", None), ("bo", "supervisor", None), ("sp", "specialist", None),
                            ("desk", "supplier", "jiarong"), ("gate", "intake", None), ("sim", "sim", None)):
        pk, sk = zmq.curve_keypair()
        users[name] = (pk, sk)
        lines.append("[user %s]\nrole = %s\npublic_key = %s\n%s" % (name, role, pk.decode(),
                                                                    "supplier = %s\n" % sup if sup else ""))
    uf = os.path.join(d, "users.ini")
    with open(uf, "w") as f:
        f.write("\n".join(lines))
    b = Broker(exe, data, tmp, extra=["--users", uf, "--key", kf], name="curve")
    try:
        curve_tests(b, users, spub)
        curve_complaints(b, users, spub)
        curve_reload(b, users, spub, uf, lines)
    finally:
        b.stop()


def handshake_event(sock, connect_to, timeout=5.0):
    """Connect sock with a monitor and return (event, value) of the first handshake outcome
    (2.5: a refused key is ZMQ_EVENT_HANDSHAKE_FAILED_AUTH with the ZAP status 400)."""
    from zmq.utils.monitor import recv_monitor_message
    mon = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                  zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sock.connect(connect_to)
    got = (None, None)
    if mon.poll(int(timeout * 1000)):
        m = recv_monitor_message(mon)
        got = (m["event"], m["value"])
    sock.disable_monitor()
    mon.close()
    return got


def curve_tests(b, users, spub):
    cl = {n: Client(b, "claimed-" + n, keys=users[n], server=spub) for n in users}
    end = time.time() + 20
    h = None
    while time.time() < end and h is None:
        req, raw = cl["ana"].frame("hello", {})
        cl["ana"].s.send(raw)
        if cl["ana"].s.poll(500):
            h = msgpack.unpackb(cl["ana"].s.recv(), raw=False)
    if not check(h is not None, "2.5", "no hello over CURVE"):
        return
    roles = {"ana": "agent", "bo": "supervisor", "sp": "specialist", "desk": "supplier", "gate": "intake", "sim": "sim"}
    for n, c in cl.items():
        r = c.ok("hello", {})
        check(r and r.get("user") == n and r.get("role") == roles[n], "7.1", "hello over CURVE %r" % r)
    # a NULL client does not get past the handshake; an unknown key is refused by ZAP (400)
    d = CTX.socket(zmq.DEALER)
    d.linger = 0
    ev = handshake_event(d, b.api)
    check(ev == (zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) or
          ev[0] == zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL, "2.5", "a client without CURVE: handshake event %r" % (ev,))
    d.close()
    d = CTX.socket(zmq.DEALER)
    d.linger = 0
    curve(d, zmq.curve_keypair(), spub)
    ev = handshake_event(d, b.api)
    check(ev == (zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400), "2.5", "an unknown key: handshake event %r" % (ev,))
    d.close()
    # 7.0: the table, row by row, as far as a refusal comes before anything else
    forb = {
        "snapshot": ["desk", "gate"], "intake.create": ["sp", "desk"], "ticket.get": ["desk", "gate"],
        "ticket.search": ["desk", "gate"], "ticket.note": ["desk", "gate"], "ticket.edit": ["sp", "desk", "gate"],
        "ticket.callback": ["sp", "desk", "gate"], "ticket.tell": ["sp", "desk", "gate"],
        "ticket.call": ["sp", "desk", "gate"], "ticket.contact": ["desk", "gate"],
        "ticket.set_state": ["sp", "gate"], "ticket.cancel": ["sp", "desk", "gate"],
        "ticket.assign": ["sp", "desk", "gate"], "offer.accept": ["sp", "gate"], "offer.decline": ["sp", "gate"],
        "dispatch.candidates": ["sp", "desk", "gate"], "ticket.track": ["desk", "gate"],
        "diag.start": ["ana", "desk", "gate"], "diag.answer": ["ana", "desk", "gate"],
        "diag.back": ["ana", "desk", "gate"], "diag.safety": ["ana", "desk", "gate"],
        "diag.abort": ["ana", "desk", "gate"], "diag.dispatch_now": ["ana", "desk", "gate"],
        "stats.kpi": ["desk", "gate"], "stats.board": ["ana", "sp", "desk", "gate"],
        "stats.report": ["ana", "sp", "desk", "gate"], "complaint.put": ["sp", "desk", "gate"],
        "complaint.get": ["sp", "desk", "gate"], "survey.put": ["ana", "sp", "desk"],
        "survey.done": ["sp", "desk", "gate"], "warning.ack": ["desk", "gate"],
        "warning.release": ["desk", "gate"], "ticket.escalate": ["desk", "gate"], "presence": ["desk", "gate"],
        "supplier.jobs": ["ana", "sp", "gate"],
    }
    dummy = {"id": 1, "truck": "x", "eta_s": 1, "reason": "r", "state": "on", "text": "t", "node": "n",
             "answer": 1, "stop": "s", "template": "t", "uid": "u", "version": 1, "record": "r", "ticket": 1,
             "score": 1, "kind": "nps", "from": 0, "to": 1, "supplier": "jiarong", "customer": "c",
             "phone": "13800138000", "plate": "p", "lat": ABA[0], "lon": ABA[1], "address": "a",
             "fault": "battery", "region": "aba"}
    args_of = {"snapshot": {}, "intake.create": ["customer", "phone", "plate", "lat", "lon", "address", "fault",
                                                 "region"],
               "ticket.get": ["id"], "ticket.search": [], "ticket.note": ["id", "text"], "ticket.edit": ["id", "plate"],
               "ticket.callback": ["id"], "ticket.tell": ["id", "template"], "ticket.call": ["id"],
               "ticket.contact": ["id"], "ticket.set_state": ["id", "state"], "ticket.cancel": ["id", "reason"],
               "ticket.assign": ["id", "truck"], "offer.accept": ["id", "truck", "eta_s"],
               "offer.decline": ["id", "truck", "reason"], "dispatch.candidates": ["id"], "ticket.track": ["id"],
               "diag.start": ["id"], "diag.answer": ["id", "node", "answer"], "diag.back": ["id", "node"],
               "diag.safety": ["id", "stop"], "diag.abort": ["id", "reason"], "diag.dispatch_now": ["id"],
               "stats.kpi": [], "stats.board": [], "stats.report": ["kind", "from", "to"],
               "complaint.put": ["uid", "version", "record"], "complaint.get": ["uid"],
               "survey.put": ["ticket", "score"], "survey.done": ["ticket"], "warning.ack": ["ticket"],
               "warning.release": ["ticket"], "ticket.escalate": ["id", "reason"], "presence": ["state"],
               "supplier.jobs": ["supplier"]}
    for op, who in forb.items():
        a = {k: dummy[k] for k in args_of[op]}
        if op == "ticket.set_state":
            a["state"] = "new"
        for n in users:
            r = cl[n].call(op, a)
            code = r.get("error", {}).get("code") if not r.get("ok") else "ok"
            if n == "desk" and op in ("ticket.set_state", "offer.accept", "offer.decline"):
                continue  # note 1: forbidden or not depends on the ticket's truck (tested below)
            if n in who:
                check(code == "forbidden", "7.0", "%s as %s: %s, the table says forbidden" % (op, roles[n], code))
                if code == "forbidden":
                    check(r["error"].get("message") == "%s is not allowed to this client" % op, "7.0",
                          "forbidden message %r" % r["error"].get("message"))
            else:
                check(code not in ("forbidden", "unauthenticated"), "7.0", "%s as %s: %s, the table allows it" %
                      (op, roles[n], code))
    # the user is the key's (2.5), whatever was claimed
    t = cl["ana"].ok("intake.create", {k: dummy[k] for k in args_of["intake.create"]})
    if t:
        check(t.get("created_by") == "ana", "2.5", "created_by %r, not the key's user" % t.get("created_by"))
        # 7.0 note 2: clear only as supervisor or sim, field clear, before the ticket is looked at
        cl["ana"].err("7.0", "ticket.escalate", {"id": 999999, "reason": "x", "clear": True}, "forbidden", field="clear")
        cl["bo"].err("7.25", "ticket.escalate", {"id": t["id"], "reason": "x", "clear": True}, "invalid_state",
                     reason="not_escalated")
    # the supplier: its own trucks, supplier ignored; a supplier's feed registers its trucks
    feed = Feed(b, keys=users["desk"], server=spub)
    sim = cl["sim"]
    subs = Sub(b, keys=users["bo"], server=spub)
    now = sim.ok("hello", {})["now"]
    feed.send({"type": "status", "truck": "d-1", "status": "available", "kind": "van", "supplier": "other", "ts": now})
    feed.send({"type": "status", "truck": "d-2", "status": "available", "kind": "van", "ts": now})
    feed.send({"type": "fix", "truck": "d-2", "lat": ABA[0], "lon": ABA[1], "ts": now})
    got = subs.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "d-2" and "lat" in bd["truck"], timeout=5)
    check(got is not None and got["truck"]["supplier"] == "jiarong", "2.5", "a supplier's truck %r" % (got and got["truck"]))
    check(not any(tp == "truck" and bd["truck"]["id"] == "d-1" for tp, bd in subs.q), "2.5",
          "a status naming another supplier was taken")
    j = cl["desk"].ok("supplier.jobs", {"supplier": "minjiang"})
    check(j and j["supplier"] == "jiarong" and [x["id"] for x in j["trucks"]] == ["d-2"], "7.36", "supplier's jobs %r" % j)
    j = cl["desk"].ok("supplier.jobs", {})
    check(j is not None, "7.36", "a supplier without supplier arg refused")
    # a supplier answering for another's truck: forbidden, field truck
    feed2 = Feed(b, keys=users["sim"], server=spub)
    feed2.send({"type": "status", "truck": "m-1", "status": "available", "kind": "van", "supplier": "minjiang",
                "ts": now})
    feed2.send({"type": "fix", "truck": "m-1", "lat": ABA[0], "lon": ABA[1], "ts": now})
    subs.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "m-1" and "lat" in bd["truck"], timeout=5)
    t2 = sim.ok("intake.create", {k: dummy[k] for k in args_of["intake.create"]})
    if t2:
        sim.ok("ticket.assign", {"id": t2["id"], "truck": "m-1"})
        cl["desk"].err("7.0", "offer.accept", {"id": t2["id"], "truck": "m-1", "eta_s": 60}, "forbidden", field="truck")
        sim.ok("offer.decline", {"id": t2["id"], "truck": "m-1", "reason": "x"})
        sim.ok("ticket.assign", {"id": t2["id"], "truck": "d-2"})
        r = cl["desk"].ok("offer.accept", {"id": t2["id"], "truck": "d-2", "eta_s": 60})
        check(r and r["state"] == "accepted", "9.1", "a supplier accepting for its own truck %r" % r)
        cl["desk"].err("7.0", "ticket.set_state", {"id": t2["id"], "state": "cancelled", "reason": "x"}, "forbidden",
                       field="state")
        r = cl["desk"].ok("ticket.set_state", {"id": t2["id"], "state": "en_route"})
        check(r and r["state"] == "en_route", "7.0", "a supplier moving its own job %r" % r)
        j = cl["desk"].ok("supplier.jobs", {})
        if j:
            todo = {x["ticket"]: x["todo"] for x in j["jobs"]}
            check(todo.get(t2["id"]) == "arrive", "7.36", "the desk's job %r" % todo)
            for x in j["tickets"]:
                check_ticket("7.36", x)
            j2 = cl["desk"].ok("supplier.jobs", {"since": j["now"] + 1})
            check(j2 and j2["unchanged"] is True, "7.36", "desk unchanged %r" % j2)
        # 2.5: a supplier's fix for another supplier's truck is dropped
        feed.send({"type": "fix", "truck": "m-1", "lat": ABA[0] + 0.2, "lon": ABA[1], "ts": now})
        feed.send({"type": "fix", "truck": "d-2", "lat": ABA[0] + 0.03, "lon": ABA[1], "ts": now + 1})
        subs.wait(lambda tp, bd: tp == "truck" and bd["truck"]["id"] == "d-2" and bd["truck"].get("lat") == ABA[0] + 0.03)
        check(not any(tp == "truck" and bd["truck"]["id"] == "m-1" and bd["truck"].get("lat") == ABA[0] + 0.2
                      for tp, bd in subs.q), "2.5", "a supplier moved another supplier's truck")
    # intake and supplier may not subscribe (ZAP refuses): no heartbeat reaches them
    for n in ("gate", "desk"):
        s = CTX.socket(zmq.SUB)
        s.linger = 0
        curve(s, users[n], spub)
        ev = handshake_event(s, b.pub)
        check(ev == (zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400), "2.5", "role %s on pub: handshake event %r" %
              (roles[n], ev))
        s.close()
    for n, ep, want in (("desk", b.feed, True), ("sim", b.feed, True), ("ana", b.feed, False), ("gate", b.feed, False),
                        ("gate", b.api, True)):
        s = CTX.socket(zmq.PUSH if ep == b.feed else zmq.DEALER)
        s.linger = 0
        curve(s, users[n], spub)
        ev = handshake_event(s, ep)
        check((ev[0] == zmq.EVENT_HANDSHAKE_SUCCEEDED) == want, "2.5", "role %s on %s: handshake event %r" %
              (roles[n], ep.rsplit("/", 1)[-1], ev))
        s.close()
    check(subs.wait(lambda tp, bd: tp == "hb", timeout=2.0) is not None, "2.5", "a supervisor got no heartbeat")
    # presence without a claimed user: the key's user stands in, so not unauthenticated (2.5)
    a2 = Client(b, None, keys=users["ana"], server=spub)
    r = a2.call("presence", {"state": "on"})
    check(r.get("ok") is True, "2.5", "presence without user over CURVE: %r" % r.get("error"))
    a2.close()
    feed.close()
    feed2.close()
    subs.close()
    for c in cl.values():
        c.close()


def curve_complaints(b, users, spub):
    """7.22: who may approve, with real roles."""
    ana = Client(b, None, keys=users["ana"], server=spub)
    bo = Client(b, None, keys=users["bo"], server=spub)
    uid = "curve-%x" % os.getpid()
    base = "uid=%s\nversion=%d\nname=张三\nphone=13812345678\nsupplier=jiarong\nhandler=ana\n"
    r = ana.ok("complaint.put", {"uid": uid, "version": 1, "base": 0, "record": base % (uid, 1)})
    check(r and r.get("saved_by") == "ana", "7.22", "saved_by over CURVE %r" % r)
    gw = "goodwill=50000\ngoodwill_approver=%s\ngoodwill_role=%s\n"
    e = ana.err("7.22", "complaint.put", {"uid": uid, "version": 2, "record": base % (uid, 2) + gw % ("ana", "agent")},
                "forbidden", field="record", reason="complaint_approval")
    if e and e.get("params"):
        check(e["params"].get("name") == "goodwill" and e["params"].get("need") == "supervisor"
              and e["params"].get("limit") == 20000, "7.22", "complaint_approval params %r" % e["params"])
    e = bo.err("7.22", "complaint.put", {"uid": uid, "version": 2, "record": base % (uid, 2) + gw % ("li", "supervisor")},
               "forbidden", field="record", reason="complaint_approver")
    if e and e.get("params"):
        check(e["params"].get("name") == "goodwill_approver" and e["params"].get("by") == "bo", "7.22",
              "complaint_approver params %r" % e["params"])
    r = bo.ok("complaint.put", {"uid": uid, "version": 2, "record": base % (uid, 2) + gw % ("bo", "supervisor")})
    check(r and r.get("saved_by") == "bo", "7.22", "a supervisor's goodwill %r" % r)
    rec3 = (base % (uid, 3)).replace("handler=ana", "handler=bo") + gw % ("bo", "supervisor")
    r = ana.ok("complaint.put", {"uid": uid, "version": 3, "record": rec3})
    check(r is not None, "7.22", "an agent saving again a payment a supervisor approved")
    ext = rec3.replace("version=3", "version=4") + "extension_level=1\nextension_approver=ana\n"
    bad = ext.replace("extension_level=1", "extension_level=extended_30")
    ana.err("7.22", "complaint.put", {"uid": uid, "version": 4, "record": bad}, "bad_request", field="record")
    e = ana.err("7.22", "complaint.put", {"uid": uid, "version": 4, "record": ext}, "forbidden", field="record",
                reason="complaint_approval")
    if e and e.get("params"):
        check(e["params"].get("need") == "supervisor", "7.22", "extension params %r" % e["params"])
    ana.close()
    bo.close()


def curve_reload(b, users, spub, uf, lines):
    """2.5: SIGHUP reloads the users file; a removed key is answered unauthenticated."""
    gate = Client(b, None, keys=users["gate"], server=spub)
    check(gate.ok("hello", {}) is not None, "2.5", "gate before the reload")
    sub = Sub(b, topics=("hb",), keys=users["bo"], server=spub)
    check(sub.wait(lambda tp, bd: tp == "hb", timeout=3) is not None, "2.5", "no heartbeat before the reload")
    with open(uf, "w") as f:
        f.write("\n".join(x for x in lines if "[user gate]" not in x))
    b.proc.send_signal(signal.SIGHUP)
    end = time.time() + 5
    code = None
    while time.time() < end:
        r = gate.call("hello", {})
        code = "ok" if r.get("ok") else r["error"]["code"]
        if code != "ok":
            break
        time.sleep(0.1)
    check(code == "unauthenticated", "2.5", "a removed key after SIGHUP: %s" % code)
    # the PUB socket is bound again: the subscriber is let in again and hears heartbeats
    sub.q.clear()
    check(sub.wait(lambda tp, bd: tp == "hb", timeout=5) is not None, "2.5", "no heartbeat after the reload")
    gate.close()
    sub.close()


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    if len(args) != 2:
        print("usage: conform.py RESCUEDESKD DATA_DIR [-v]", file=sys.stderr)
        return 2
    exe, data = args
    tmp = tempfile.mkdtemp(prefix="rd-conform-")
    try:
        run_open(exe, data, tmp)
        run_fast(exe, data, tmp)
        run_curve(exe, data, tmp)
    finally:
        CTX.destroy(linger=0)
        if not FAILS and not os.environ.get("CONFORM_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("conform: broker logs kept in", tmp)
    check_sent_by()
    for sec, name, k in sorted(SEEN_UNDOC):
        print("note %s: %s has key %r that the document does not define" % (sec, name, k))
    print("conform: %d checks, %d disagreements" % (CHECKS[0], len(FAILS)))
    return 1 if FAILS or SEEN_UNDOC else 0


if __name__ == "__main__":
    sys.exit(main())
