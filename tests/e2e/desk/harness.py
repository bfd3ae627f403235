"""Drives the real syncloop-desk from outside, as a screen reader sees it (AT-SPI), and checks
the effects at the real syncloopd (REST as the right user, or its SQLite database read-only).

Runs under /usr/bin/python3 with Debian's python3-pyatspi, inside the environment that
tests/e2e/run-desk-e2e.sh sets up (Xvfb or $DISPLAY, a private D-Bus session, an unlocked
gnome-keyring, the AT-SPI bus, a fresh HOME). No hook inside the app: only what AT-SPI shows.
AT-SPI answers can be stale or vanish mid-walk, so every lookup re-queries the tree and polls
until a deadline.
"""

import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

import pyatspi  # noqa: E402

BUILD = os.environ["E2E_BUILD"]
WORK = os.environ["E2E_WORK"]
SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DESK = os.path.join(BUILD, "src/app/syncloop-desk")
CTL = os.path.join(BUILD, "src/ctl/syncloopctl")
SERVERD = os.path.join(BUILD, "src/server/syncloopd")
SHOTS = os.path.join(BUILD, "tests/e2e/screenshots")
SLOW = float(os.environ.get("SYNCLOOP_E2E_SLOW", "0") or 0)
PASSWORD = "syncloop-demo"
AGENT1 = "agent1@example.com"
AGENT2 = "agent2@example.com"
ADMIN = "admin@example.com"

_t0 = time.monotonic()


class Failure(Exception):
    """A scenario's expectation that did not hold."""


def log(message):
    print(f"[{time.monotonic() - _t0:7.2f}s] {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------------------------------------
# Waiting: short polls against a deadline; the GLib loop is pumped so AT-SPI events arrive.

def pump(seconds):
    """Lets time pass while AT-SPI events are delivered."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.iteration(False):
            pass
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.01, left))


def wait_for(what, probe, timeout, interval=0.05):
    """Calls probe() until it returns something truthy; fails with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except (GLib.Error, RuntimeError) as e:  # a widget went away mid-query: ask again
            last_error = e
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            raise Failure(f"timed out after {timeout:g} s waiting for {what}{extra}")
        pump(interval)


def step_pause():
    if SLOW:
        pump(SLOW)


# ---------------------------------------------------------------------------------------------
# Screenshots: every step saves one under the build tree. Each is finished before the test goes
# on (else the next action may already be on it), except where a timing is being measured.

class Screenshots:
    def __init__(self, scenario):
        self.scenario = scenario
        self.count = 0
        self.pending = []
        self.files = []
        os.makedirs(SHOTS, exist_ok=True)
        for name in os.listdir(SHOTS):
            if name.startswith(scenario + "-"):
                os.remove(os.path.join(SHOTS, name))

    def take(self, step, display=None, xauthority=None, wait=True):
        self.count += 1
        name = f"{self.scenario}-{self.count:02d}-{step}.png"
        path = os.path.join(SHOTS, name)
        env = dict(os.environ)
        if display:
            env["DISPLAY"] = display
        if xauthority:
            env["XAUTHORITY"] = xauthority
        shot = subprocess.Popen(["import", "-window", "root", path], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pending.append(shot)
        self.files.append(path)
        deadline = time.monotonic() + 10
        while wait and shot.poll() is None and time.monotonic() < deadline:
            pump(0.02)
        log(f"screenshot {name}")
        step_pause()

    def finish(self):
        for p in self.pending:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        self.pending.clear()


# ---------------------------------------------------------------------------------------------
# The server: a real syncloopd on port 0 (or a given port, to come back on the same one).

class Server:
    def __init__(self, name="server", extra_args=()):
        self.data_dir = os.path.join(WORK, name)
        os.makedirs(self.data_dir, exist_ok=True)
        self.extra_args = list(extra_args)
        self.proc = None
        self.crashes = []
        self.port = 0
        self.url = None
        self._tokens = {}
        self._log = open(os.path.join(WORK, f"{name}.log"), "ab")

    def start(self, port=0, timeout=20):
        args = [SERVERD, "--port", str(port), "--data-dir", self.data_dir, "--demo"] + self.extra_args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log)
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        m = re.search(rb"syncloopd listening on (http://[^\s]+):(\d+)", line)
        if not m:
            self.stop()
            raise Failure(f"syncloopd did not start (stdout {line!r}; log {self._log.name})")
        self.url = f"{m.group(1).decode()}:{m.group(2).decode()}"
        self.port = int(m.group(2))
        log(f"syncloopd listening on {self.url}")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            log(f"syncloopd stopped (exit {self.proc.returncode})")
            if self.proc.returncode != 0:  # SIGTERM stops it cleanly: anything else is a bug
                self._log.flush()
                with open(self._log.name, "rb") as f:
                    tail = b"\n".join(f.read().splitlines()[-15:]).decode(errors="replace")
                self.crashes.append(f"syncloopd exited with {self.proc.returncode} on SIGTERM; its log ends:\n{tail}")
        self.proc = None

    def restart_same_port(self):
        self.start(self.port)

    # REST, as the given user
    def request(self, method, path, user=AGENT1, body=None, headers=None):
        status, answer = self._request(method, path, user, body, headers)
        if status == 401 and user:  # our own token expired (short --access-token-ttl): a new one
            self._tokens.pop(user, None)
            status, answer = self._request(method, path, user, body, headers)
        return status, answer

    def _request(self, method, path, user, body, headers):
        h = {"Content-Type": "application/json"}
        if user:
            h["Authorization"] = "Bearer " + self.token(user)
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def token(self, user):
        if user not in self._tokens:
            req = urllib.request.Request(self.url + "/api/auth/login",
                                         data=json.dumps({"email": user, "password": PASSWORD}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                self._tokens[user] = json.loads(r.read())["access_token"]
        return self._tokens[user]

    def bookings(self, user=AGENT1):
        status, body = self.request("GET", "/api/bookings", user)
        check(status == 200, f"GET /api/bookings as {user}: HTTP {status} {body}")
        return body["bookings"]

    def booking(self, booking_id, user=AGENT1):
        return self.request("GET", f"/api/bookings/{booking_id}", user)

    # The database, read-only: what really happened, whatever any answer said.
    def db(self, sql, args=()):
        path = os.path.join(self.data_dir, "syncloop.sqlite")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def changes_of(self, record_id):
        return self.db("SELECT change_type, record FROM change_log WHERE record_id = ? ORDER BY seq", (record_id,))

    def db_booking(self, booking_id):
        rows = self.db("SELECT status, version FROM bookings WHERE id = ?", (booking_id,))
        return rows[0] if rows else None

    def idempotency_records(self, route_part, user=AGENT1):
        return self.db("SELECT k.route, k.response_status, k.response_body FROM idempotency_keys k JOIN users u ON u.id = k.user_id "
                       "WHERE u.email = ? AND k.route LIKE ?", (user, f"%{route_part}%"))


def pending_bookings(server, user=AGENT1, count=1):
    """Pending bookings of `user` whose customer name no other booking's customer or service
    contains, so typing the name in the filter leaves exactly that card."""
    every = server.bookings(ADMIN)
    texts = lambda b: (b["customer_name"].lower(), b["service"].lower())  # noqa: E731
    chosen = []
    for b in server.bookings(user):
        if b["status"] != "pending":
            continue
        name = b["customer_name"].lower()
        clash = [o for o in every if o["id"] != b["id"] and any(name in t for t in texts(o))]
        if not clash:
            chosen.append(b)
        if len(chosen) == count:
            return chosen
    raise Failure(f"the demo data has fewer than {count} pending bookings of {user} with a unique customer name")


# ---------------------------------------------------------------------------------------------
# syncloopctl: the other client.

def ctl(server_url, *args, password=None, data_dir=None, timeout=60):
    cmd = [CTL, "--server", server_url]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    cmd += list(args)
    r = subprocess.run(cmd, input=(password + "\n") if password else None, capture_output=True, text=True,
                       timeout=timeout)
    log(f"syncloopctl {' '.join(args)} -> exit {r.returncode}")
    return r


# ---------------------------------------------------------------------------------------------
# Keys, synthesized through the AT-SPI registry (XTest underneath), to the focused window.

# X modifier masks: held for the key by locking them (XKB), released right after.
_MODIFIERS = {"ctrl": 1 << 2, "shift": 1 << 0, "alt": 1 << 3}


def key(combo, window=None):
    """key("ctrl+shift+s"), key("F5"), key("Return"): X keysym names after the modifiers.
    Keys go to the active window: with `window`, wait until it is the active one first."""
    if window is not None:
        wait_for(f"the window {name(window)!r} to be active before {combo}",
                 lambda: states(window).contains(Atspi.StateType.ACTIVE), 5)
    parts = combo.split("+")
    mask = 0
    for p in parts[:-1]:
        mask |= _MODIFIERS[p.lower()]
    keysym = _keysym(parts[-1])
    if mask:
        pyatspi.Registry.generateKeyboardEvent(mask, None, pyatspi.KEY_LOCKMODIFIERS)
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    if mask:
        pyatspi.Registry.generateKeyboardEvent(mask, None, pyatspi.KEY_UNLOCKMODIFIERS)
    log(f"key {combo}")
    pump(0.05)


_KEYSYMS = {"Return": 0xff0d, "Escape": 0xff1b, "Delete": 0xffff, "Tab": 0xff09, "F5": 0xffc2}


def _keysym(name_):
    if name_ in _KEYSYMS:
        return _KEYSYMS[name_]
    if len(name_) == 1:
        return ord(name_.lower())  # Latin-1 keysyms are the characters themselves
    raise Failure(f"no keysym for {name_}")


# ---------------------------------------------------------------------------------------------
# The accessibility tree.

def name(acc):
    return acc.get_name() or ""


def role(acc):
    return acc.get_role_name() or ""


def states(acc):
    return acc.get_state_set()


def is_showing(acc):
    return states(acc).contains(Atspi.StateType.SHOWING)


def is_enabled(acc):
    return states(acc).contains(Atspi.StateType.ENABLED)


def children(acc):
    out = []
    try:
        n = acc.get_child_count()
    except GLib.Error:
        return out
    for i in range(n):
        try:
            c = acc.get_child_at_index(i)
        except GLib.Error:
            continue
        if c is not None:
            out.append(c)
    return out


def walk(acc, max_depth=30):
    """Every node under acc (acc first), depth first."""
    stack = [(acc, 0)]
    while stack:
        node, depth = stack.pop()
        yield node
        if depth < max_depth:
            stack.extend((c, depth + 1) for c in reversed(children(node)))


def matches(acc, role_name=None, name_is=None, name_re=None, showing=None):
    try:
        if role_name and role(acc) != role_name:
            return False
        n = name(acc)
        if name_is is not None and n != name_is:
            return False
        if name_re is not None and not re.search(name_re, n):
            return False
        if showing is not None and is_showing(acc) != showing:
            return False
        return True
    except GLib.Error:
        return False


def find_all(root, **criteria):
    return [a for a in walk(root) if matches(a, **criteria)]


def find(root, **criteria):
    for a in walk(root):
        if matches(a, **criteria):
            return a
    return None


def describe(acc, depth=0, max_depth=12):
    """The tree as text, for failure messages and logs."""
    lines = []
    try:
        st = states(acc)
        flags = "".join(f for f, s in (("S", Atspi.StateType.SHOWING), ("E", Atspi.StateType.ENABLED),
                                       ("F", Atspi.StateType.FOCUSED), ("C", Atspi.StateType.CHECKED))
                        if st.contains(s))
        lines.append(f"{'  ' * depth}{role(acc)} {name(acc)!r} [{flags}]")
    except GLib.Error as e:
        return [f"{'  ' * depth}<gone: {e}>"]
    if depth < max_depth:
        for c in children(acc):
            lines.extend(describe(c, depth + 1, max_depth))
    return lines


def press(acc, action_name=None):
    """Does the widget's action (Press / Toggle / ...) the way assistive technology does."""
    n = acc.get_n_actions()
    check(n > 0, f"{role(acc)} {name(acc)!r} has no action")
    index = 0
    if action_name:
        names = [acc.get_action_name(i) for i in range(n)]
        check(action_name in names, f"{role(acc)} {name(acc)!r} has no action {action_name} ({names})")
        index = names.index(action_name)
    log(f"{acc.get_action_name(index)} {role(acc)} {name(acc)!r}")
    acc.do_action(index)
    pump(0.05)


def set_text(acc, text, shown=None):
    """Replaces a text field's contents through the EditableText interface."""
    editable = acc.get_editable_text_iface()
    check(editable is not None, f"{role(acc)} {name(acc)!r} is not editable")
    editable.set_text_contents(text)
    log(f"typed {shown if shown is not None else text!r} into {role(acc)} {name(acc)!r}")
    pump(0.05)


def text_of(acc):
    t = acc.get_text_iface()
    return t.get_text(0, t.get_character_count()) if t else ""


def watch_names(acc, until, timeout):
    """The accessible names `acc` goes through, each once in a row, asked as fast as AT-SPI
    answers until until(name) holds. Events would be cheaper, but Qt 6.4 announces a new name
    with the object's path instead of the name, and a state can last only milliseconds."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            current = name(acc)
        except GLib.Error:
            continue
        if not seen or seen[-1] != current:
            seen.append(current)
        if until(current):
            return seen
    raise Failure(f"timed out after {timeout:g} s: {role(acc)} went through {seen}")


# ---------------------------------------------------------------------------------------------
# The app.

class Desk:
    """A syncloop-desk process and its node in the AT-SPI tree."""

    def __init__(self, server_url, *extra_args, label="desk"):
        self.label = label
        self.log_path = os.path.join(WORK, f"{label}.log")
        self._log = open(self.log_path, "ab")
        args = [DESK] + (["--server", server_url] if server_url else []) + list(extra_args)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=self._log)
        log(f"started {label} (pid {self.proc.pid}): {' '.join(args[1:])}")

    @classmethod
    def attach(cls, proc, label, log_path):
        """A syncloop-desk this test did not start (a script did): `proc` polls it."""
        desk = cls.__new__(cls)
        desk.label, desk.log_path, desk.proc, desk.started = label, log_path, proc, time.monotonic()
        return desk

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def check_alive(self, when):
        if not self.alive():
            raise Failure(f"syncloop-desk exited with status {self.proc.returncode} {when} "
                          f"(log {self.log_path}):\n{self.log_tail()}")

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def app(self):
        desktop = Atspi.get_desktop(0)
        for a in children(desktop):
            try:
                if a.get_process_id() == self.pid:
                    a.set_cache_mask(Atspi.Cache.NONE)  # always ask the app, never a stale copy
                    return a
            except GLib.Error:
                continue
        return None

    def windows(self):
        app = self.app()
        return children(app) if app else []

    def window(self, role_name=None, name_re=None, timeout=10):
        def probe():
            self.check_alive(f"while waiting for a window {name_re or role_name}")
            for w in self.windows():
                if matches(w, role_name=role_name, name_re=name_re) and is_showing(w):
                    return w
            return None
        return wait_for(f"the window {role_name or ''} {name_re or ''}".strip(), probe, timeout)

    def showing_windows(self):
        out = []
        for w in self.windows():
            try:
                if is_showing(w):
                    out.append((role(w), name(w)))
            except GLib.Error:
                pass
        return out

    def login_dialog(self, timeout=15):
        return self.window("dialog", r"^Sign in", timeout)

    def main_window(self, timeout=15):
        return self.window("frame", None, timeout)  # the app's one frame; its title is the user

    def tree(self):
        app = self.app()
        return "\n".join(describe(app)) if app else "<the app is not on the accessibility bus>"

    def wait_exit(self, timeout=15):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"syncloop-desk did not exit within {timeout} s")

    def kill(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sign_in(desk, email, password, remember=False, server_url=None, before_ok=None):
    """Fills the login dialog as a user would and presses OK (before_ok: e.g. a screenshot)."""
    dialog = desk.login_dialog()
    fields = find_all(dialog, role_name="text") + find_all(dialog, role_name="password text")
    by_name = {name(f).rstrip(":").strip().lower(): f for f in fields}
    check({"server", "email", "password"} <= set(by_name),
          f"the login dialog lacks a Server, Email or Password field:\n{chr(10).join(describe(dialog))}")
    if server_url is not None:
        set_text(by_name["server"], server_url)
    set_text(by_name["email"], email)
    set_text(by_name["password"], password, shown="********")
    box = find(dialog, role_name="check box", name_re=r"(?i)remember")
    check(box is not None, "the login dialog has no Remember me check box")
    if states(box).contains(Atspi.StateType.CHECKED) != remember:
        press(box)
        wait_for("Remember me to change", lambda: states(box).contains(Atspi.StateType.CHECKED) == remember, 3)
    ok = find(dialog, role_name="push button", name_re=r"^(OK|Sign in)$")
    check(ok is not None, "the login dialog has no OK / Sign in button")
    if before_ok:
        before_ok()
    press(ok)
    return dialog


def dialog_message(dialog):
    """The dialog's error text: a showing label that is not a field's caption."""
    captions = {"server:", "email:", "password:", ""}
    for label in find_all(dialog, role_name="label", showing=True):
        if name(label).strip().lower() in captions and not text_of(label):
            continue
        # Whatever a screen reader can read of it: name, description, text.
        parts = []
        for part in (name(label), label.get_description() or "", text_of(label)):
            if part and part not in parts:
                parts.append(part)
        return " — ".join(parts)
    return None


def bookings_list(window):
    lst = find(window, role_name="list", name_is="Bookings")
    if lst is None:
        lst = find(window, name_is="Bookings", showing=True)
    return lst


def booking_cards(window):
    lst = bookings_list(window)
    if lst is None:
        return []
    return [c for c in children(lst) if name(c).startswith("Booking: ")]


def card_for(window, customer):
    for c in booking_cards(window):
        if name(c).startswith(f"Booking: {customer},"):
            return c
    return None


def card_button(card, idle_name):
    """The card's button that is idle under `idle_name` (Confirm / Delete): its place among
    the card's buttons is kept when its name changes, so find it by role and order."""
    buttons = [c for c in walk(card) if role(c) == "push button"]
    check(buttons, f"the card {name(card)!r} has no buttons")
    for b in buttons:
        if name(b) == idle_name:
            return b
    return None


def filter_bookings(desk, window, text, keys=False):
    """Narrows the list down to one customer. With keys, as a sighted keyboard user does:
    Ctrl+F must move the focus to the search field. Without, as a screen-reader user does:
    the field found by its name."""
    if keys:
        key("ctrl+f", window)
        search = wait_for("the search field to take the focus after Ctrl+F",
                          lambda: next((a for a in walk(window) if role(a) == "text"
                                        and states(a).contains(Atspi.StateType.FOCUSED)), None), 5)
        check(re.search(r"(?i)search", name(search)),
              f"after Ctrl+F the focus is on {role(search)} {name(search)!r}, not the search field")
    else:
        search = wait_for("the search field", lambda: find(window, role_name="text", name_re=r"(?i)search"), 5)
    set_text(search, text)
    return search


def status_bar_texts(window):
    bar = find(window, role_name="status bar")
    root = bar if bar is not None else window
    return [name(a) for a in walk(root) if role(a) in ("label", "push button", "status bar") and name(a)]
