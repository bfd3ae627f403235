"""The desktop end-to-end scenarios of issue 9, each run by tests/e2e/run-desk-e2e.sh.

Usage (inside run-desk-e2e.sh's environment): scenarios.py NAME...   or   scenarios.py --list
Each scenario starts its own syncloopd (--port 0 --demo, a temporary data directory) and the
real syncloop-desk, drives the app only through AT-SPI, checks what the screen reader is told
and what the server really holds, and saves a screenshot after every step.
"""

import fcntl
import os
import re
import socket
import subprocess
import sys
import time
import traceback
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (AGENT1, AGENT2, PASSWORD, SERVERD, SOURCE, WORK, Atspi, Desk,  # noqa: E402
                     Failure, Screenshots, Server, booking_cards, bookings_list, card_button, card_for, check,
                     children, ctl, describe, dialog_message, filter_bookings, find, find_all, is_enabled,
                     is_showing, key, log, matches, name, pending_bookings, press, pump, role, set_text,
                     sign_in, states, status_bar_texts, wait_for, walk, watch_names)

SCENARIOS = {}


def scenario(label):
    def register(fn):
        SCENARIOS[label] = fn
        return fn
    return register


class Run:
    """What one scenario started, so everything is stopped whatever happens."""

    def __init__(self, label):
        self.label = label
        self.shots = Screenshots(label)
        self.servers = []
        self.desks = []
        self.figures = {}

    def server(self, *extra_args, name=None):
        s = Server(name or f"server{len(self.servers) + 1}", extra_args).start()
        self.servers.append(s)
        return s

    def desk(self, server_url, *extra_args):
        d = Desk(server_url, *extra_args, label=f"desk{len(self.desks) + 1}")
        self.desks.append(d)
        return d

    def shot(self, step, wait=True):
        self.shots.take(step, wait=wait)

    def close(self):
        for d in self.desks:
            d.kill()
        for s in self.servers:
            s.stop()
        self.shots.finish()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_in_window(run, desk, email=AGENT1, remember=False):
    sign_in(desk, email, PASSWORD, remember=remember, before_ok=lambda: run.shot("login-filled"))
    window = desk.main_window(timeout=15)
    run.shot("main-window")
    return window


def wait_card(desk, window, customer, timeout=10):
    def probe():
        desk.check_alive(f"while looking for the card of {customer}")
        return card_for(window, customer)
    try:
        return wait_for(f"the card 'Booking: {customer}, …' in the Bookings list", probe, timeout)
    except Failure as e:
        cards = [name(c) for c in booking_cards(window)]
        raise Failure(f"{e}; the Bookings list exposes {len(cards)} card(s): {cards[:8]}") from None


def card_name(window, customer):
    card = card_for(window, customer)
    return name(card) if card is not None else ""


def confirm_button(window, customer):
    card = card_for(window, customer)
    if card is None:
        return None
    buttons = [b for b in walk(card) if role(b) == "push button"]
    return buttons[0] if buttons else None  # Confirm comes before Delete on every card


def check_one_confirm(server, booking, before_version):
    """At the server: one new version of the booking and one change of it, in the database and
    through REST as agent1."""
    row = server.db_booking(booking["id"])
    check(row == ("confirmed", before_version + 1),
          f"the database holds {row} for {booking['customer_name']}, not ('confirmed', {before_version + 1})")
    changes = server.changes_of(booking["id"])
    check(len(changes) == 1 and changes[0][0] == "UPDATE",
          f"the change log holds {len(changes)} change(s) of {booking['customer_name']}, not exactly one UPDATE")
    status, body = server.booking(booking["id"])
    check(status == 200 and body["booking"]["version"] == before_version + 1
          and body["booking"]["status"] == "confirmed",
          f"GET /api/bookings/{booking['id']} as agent1: {status} {body}")


# ---------------------------------------------------------------------------------------------

@scenario("1-first-start")
def first_start(run):
    server = run.server()
    mine = server.bookings(AGENT1)
    theirs = {b["customer_name"] for b in server.bookings(AGENT2)} - {b["customer_name"] for b in mine}
    desk = run.desk(server.url)
    dialog = desk.login_dialog()
    run.shot("login-dialog")
    server_field = find(dialog, role_name="text", name_re=r"^Server")
    check(server_field is not None and matches(server_field, showing=True), "the dialog has no Server field")
    check(text_value(server_field).rstrip("/") == server.url,
          f"the dialog's server is {text_value(server_field)!r}, not --server {server.url}")
    check(dialog_message(dialog) is None, f"a fresh dialog already shows {dialog_message(dialog)!r}")

    sign_in(desk, AGENT1, PASSWORD, before_ok=lambda: run.shot("login-filled"))
    run.shot("signing-in")
    window = desk.main_window(timeout=15)
    shown_at = time.monotonic()
    run.shot("main-window")
    check(not any(r == "dialog" for r, _ in desk.showing_windows()),
          f"the login dialog is still up: {desk.showing_windows()}")

    cards = wait_for("booking cards in the Bookings list", lambda: booking_cards(window), 10)
    status_of = {}
    for b in mine:
        status_of.setdefault(b["customer_name"], set()).add(b["status"])
    for card in cards:
        m = re.match(r"^Booking: (.+?), (.+), (pending|confirmed|cancelled)$", name(card))
        check(m, f"a card's accessible name {name(card)!r} is not 'Booking: <customer>, <time>, <status>'")
        check(m.group(1) in status_of, f"the card {name(card)!r} is not one of agent1's bookings")
        check(m.group(1) not in theirs, f"agent1 sees agent2's booking {name(card)!r}")
        check(m.group(3) in status_of[m.group(1)], f"{name(card)!r}: the server says {status_of[m.group(1)]}")
    check(len(cards) >= min(3, len(mine)), f"only {len(cards)} card(s) listed of agent1's {len(mine)} bookings")
    log(f"{len(cards)} card(s) on screen of agent1's {len(mine)} bookings, e.g. {name(cards[0])!r}")
    wait_for("'Connection: Live' in the status bar", lambda: "Connection: Live" in status_bar_texts(window), 10)

    # It stays up: the reported bug quit right after a successful sign-in.
    while time.monotonic() - shown_at < 10.5:
        desk.check_alive("after the main window appeared")
        check(is_showing(window), "the main window disappeared")
        pump(0.5)
    run.shot("still-up-after-10s")
    tokens = server.db("SELECT COUNT(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id "
                       "WHERE u.email = ? AND t.revoked = 0", (AGENT1,))[0][0]
    check(tokens >= 1, "the server holds no live refresh token for agent1")

    key("ctrl+q", window)
    rc = desk.wait_exit(10)
    run.shot("quit")
    check(rc == 0, f"Ctrl+Q: syncloop-desk exited with status {rc}")


@scenario("2-remember-me")
def remember_me(run):
    server = run.server()
    desk = run.desk(server.url)
    window = signed_in_window(run, desk, remember=True)
    # Quit at once: the keychain write must not be cut off by the quit.
    key("ctrl+q", window)
    rc = desk.wait_exit(10)
    check(rc == 0, f"Ctrl+Q: syncloop-desk exited with status {rc}")
    run.shot("quit")

    kept = tokens(server)
    log(f"refresh tokens of agent1 after the quit: {kept}")
    desk = run.desk(server.url)

    def silent():
        desk.check_alive("while signing in from the keychain")
        shown = desk.showing_windows()
        check(not any(r == "dialog" for r, _ in shown), f"the next start shows a dialog: {shown}")
        return any(r == "frame" for r, _ in shown)
    wait_for("the main window, signed in from the keychain", silent, 15)
    window = desk.main_window()
    run.shot("silent-sign-in")
    wait_for("booking cards", lambda: booking_cards(window), 10)
    # At the server: the start used the kept refresh token (rotated now), not a new sign-in.
    used = tokens(server)
    log(f"refresh tokens of agent1 after the silent start: {used}")
    check(count(used, "rotated") == count(kept, "rotated") + 1 and count(used, "revoked") == 0,
          f"the silent start did not use the kept session once: before {kept}, after {used}")

    item = wait_for("File › Sign out", lambda: find(window, role_name="menu item", name_re=r"^Sign out"), 5)
    press(item)
    desk.login_dialog(timeout=10)
    wait_for("the main window to close", lambda: not any(r == "frame" for r, _ in desk.showing_windows()), 10)
    run.shot("signed-out")
    cancel = find(desk.login_dialog(), role_name="push button", name_is="Cancel")
    press(cancel)
    rc = desk.wait_exit(10)
    check(rc == 0, f"Cancel in the login dialog: syncloop-desk exited with status {rc}")

    desk = run.desk(server.url)
    desk.login_dialog(timeout=15)
    pump(1.5)  # and no window behind it after a moment either
    check(not any(r == "frame" for r, _ in desk.showing_windows()),
          f"after Sign out the next start still signs in: {desk.showing_windows()}")
    run.shot("dialog-again")


@scenario("3-confirm")
def confirm(run):
    server = run.server()
    booking = pending_bookings(server)[0]
    before = booking["version"]
    desk = run.desk(server.url)
    window = signed_in_window(run, desk)
    filter_bookings(desk, window, booking["customer_name"], keys=True)
    card = wait_card(desk, window, booking["customer_name"])
    run.shot("filtered")
    check(name(card).endswith(", pending"), f"the card says {name(card)!r}")
    button = card_button(card, "Confirm")
    check(button is not None and is_enabled(button), f"no enabled Confirm on {name(card)!r}:\n"
          + "\n".join(describe(card)))

    pressed = time.monotonic()
    press(button)
    # Qt presses a button the way a click looks (down, then up 100 ms later): the name changes
    # from then on.
    names = watch_names(button, lambda n: n == "✓ Done", 10)
    run.figures["confirm_ms"] = round((time.monotonic() - pressed) * 1000)
    run.shot("done")
    log(f"the button's names: {names}")
    check(any(n.startswith("Sending") for n in names), f"the button never said Sending…: {names}")
    check(names.index("✓ Done") > next(i for i, n in enumerate(names) if n.startswith("Sending")),
          f"✓ Done came before Sending…: {names}")
    wait_for("the card to say confirmed", lambda: card_name(window, booking["customer_name"]).endswith(", confirmed"), 10)
    later = watch_names(button, lambda n: n != "✓ Done", 10)
    log(f"then: {later}")
    check(later[-1] == "Confirmed", f"after ✓ Done the button said {later}, not Confirmed (the booking's state)")

    pump(2)  # anything sent twice would have landed by now
    check_one_confirm(server, booking, before)
    check(len(server.idempotency_records("confirm")) == 1,
          f"{len(server.idempotency_records('confirm'))} confirm requests executed, not 1")
    run.shot("server-checked")


@scenario("4-offline")
def offline(run):
    server = run.server()
    booking = pending_bookings(server)[0]
    desk = run.desk(server.url)
    window = signed_in_window(run, desk)
    filter_bookings(desk, window, booking["customer_name"])
    wait_card(desk, window, booking["customer_name"])
    run.shot("filtered")

    server.stop()
    button = confirm_button(window, booking["customer_name"])
    check(button is not None and name(button) == "Confirm", "no Confirm button on the card")
    press(button)
    wait_for("the button to say 'Will send when online'",
             lambda: name(confirm_button(window, booking["customer_name"])) == "Will send when online", 15)
    run.shot("will-send-when-online")
    wait_for("the status bar to show Offline and 1 change waiting",
             lambda: {"Connection: Offline", "1 change(s) waiting"} <= set(status_bar_texts(window)), 15)
    run.shot("status-offline-1-waiting")
    log(f"status bar: {status_bar_texts(window)}")
    # The chip on screen says "confirmed (pending)": the screen reader must not hear a plain
    # "confirmed" for a change the server has not seen.
    offline_name = card_name(window, booking["customer_name"])
    log(f"the card while offline: {offline_name!r}")
    check(not offline_name.endswith(", confirmed"),
          f"while the confirm waits offline the card's accessible name claims {offline_name!r}")
    check(server.db_booking(booking["id"]) == ("pending", booking["version"]),
          "the booking changed while the server was down")

    server.restart_same_port()
    drained = time.monotonic()
    wait_for("the queued confirm to drain by itself",
             lambda: card_name(window, booking["customer_name"]).endswith(", confirmed")
             and "All changes sent" in status_bar_texts(window), 40)
    run.figures["drain_after_restart_s"] = round(time.monotonic() - drained, 1)
    run.shot("drained")
    wait_for("'Connection: Live' again", lambda: "Connection: Live" in status_bar_texts(window), 20)
    pump(1.5)
    check_one_confirm(server, booking, booking["version"])
    check(len(server.idempotency_records("confirm")) == 1, "the confirm was executed more than once")
    run.shot("live-again")


@scenario("5-sync-status")
def sync_status(run):
    server = run.server()
    bookings = pending_bookings(server, count=3)
    desk = run.desk(server.url)
    window = signed_in_window(run, desk)
    wait_for("booking cards", lambda: booking_cards(window), 10)

    key("ctrl+shift+s", window)
    dialog = desk.window("dialog", r"^Sync status", timeout=10)
    run.shot("sync-status-open")
    summary = lambda: " ".join(name(a) for a in find_all(dialog, role_name="label", showing=True))  # noqa: E731
    wait_for("'Nothing is waiting'", lambda: "Nothing is waiting" in summary(), 5)

    server.stop()
    search = find(window, role_name="text", name_re=r"(?i)search")
    check(search is not None, "no search field in the main window")
    for n, b in enumerate(bookings, 1):
        set_text(search, b["customer_name"])
        wait_card(desk, window, b["customer_name"])
        button = confirm_button(window, b["customer_name"])
        check(name(button) == "Confirm", f"the card of {b['customer_name']} has {name(button)!r}, not Confirm")
        press(button)
        wait_for(f"'Will send when online' on {b['customer_name']}",
                 lambda: name(confirm_button(window, b["customer_name"])) == "Will send when online", 15)
        run.shot(f"queued-offline-{n}")
    wait_for("the dialog to list 3 changes waiting", lambda: "3 change(s) waiting" in summary(), 10)
    run.shot("three-waiting")

    server.restart_same_port()
    retry = find(dialog, role_name="push button", name_re=r"^Retry all")
    check(retry is not None, "the dialog has no Retry all button")
    run.figures["retry_all_pressed"] = is_enabled(retry)
    if is_enabled(retry):
        press(retry)
    else:
        log("Retry all is disabled: the queue drained before it could be pressed")
    wait_for("'Nothing is waiting' after Retry all", lambda: "Nothing is waiting" in summary(), 20)
    run.shot("retried")
    pump(1.5)
    for b in bookings:
        check_one_confirm(server, b, b["version"])
    records = server.idempotency_records("confirm")
    check(len(records) == 3, f"{len(records)} confirm requests executed, not 3: {records}")
    run.shot("server-checked")


@scenario("6-delete")
def delete(run):
    server = run.server()
    kept, gone = pending_bookings(server, count=2)
    desk = run.desk(server.url)
    window = signed_in_window(run, desk)
    filter_bookings(desk, window, kept["customer_name"])
    card = wait_card(desk, window, kept["customer_name"])
    button = card_button(card, "Delete")
    check(button is not None and is_enabled(button), "no enabled Delete on the card")

    def question():
        for w in desk.windows():
            if is_showing(w) and re.search(r"(?i)delete", name(w)) and role(w) in ("alert", "dialog"):
                return w
        return None
    press(button)
    box = wait_for("the question before deleting", question, 5)
    run.shot("asks-first")
    text = " ".join(name(a) for a in walk(box) if role(a) == "label")
    check(kept["customer_name"] in text, f"the question does not name the customer: {text!r}")
    cancel = find(box, role_name="push button", name_is="Cancel")
    check(cancel is not None, "the question has no Cancel")
    check(find(box, role_name="push button", name_is="Delete") is not None, "the question has no Delete")
    press(cancel)
    wait_for("the question to close", lambda: question() is None, 5)
    pump(1.5)
    run.shot("cancelled")
    check(server.db_booking(kept["id"]) == ("pending", kept["version"]), "Cancel changed the booking")
    check(server.changes_of(kept["id"]) == [], "Cancel wrote a change")
    check(server.idempotency_records("delete") == [], "Cancel sent a delete request")
    check("All changes sent" in status_bar_texts(window), f"status bar: {status_bar_texts(window)}")
    check(card_for(window, kept["customer_name"]) is not None, "the card went away after Cancel")

    # A screen reader's way: the card's SetFocus action, the Delete key; Escape is Cancel too.
    card = wait_card(desk, window, kept["customer_name"])
    press(card, "SetFocus")
    wait_for("the card to have the focus",
             lambda: states(card_for(window, kept["customer_name"])).contains(Atspi.StateType.FOCUSED), 5)
    key("Delete", window)
    box = wait_for("the question after SetFocus and the Delete key", question, 5)
    run.shot("set-focus-delete-key-asks")
    key("Escape", box)
    wait_for("Escape to close the question", lambda: question() is None, 5)
    pump(1)
    check(server.changes_of(kept["id"]) == [] and server.idempotency_records("delete") == [],
          "Escape in the question sent a delete")

    # And from the keyboard: Ctrl+F, the name, Tab to the list, Delete. The same question;
    # Delete in it deletes once.
    filter_bookings(desk, window, gone["customer_name"], keys=True)
    wait_card(desk, window, gone["customer_name"])
    cards = bookings_list(window)
    for _ in range(4):
        key("Tab", window)
        try:  # give the focus time to land before deciding to Tab on
            wait_for("the list's focus", lambda: states(cards).contains(Atspi.StateType.FOCUSED), 0.4)
            break
        except Failure:
            pass
    check(states(cards).contains(Atspi.StateType.FOCUSED), "Tab from the search field never reaches the list")
    key("Delete", window)
    box = wait_for("the question after the Delete key", question, 5)
    run.shot("delete-key-asks")
    press(find(box, role_name="push button", name_is="Delete"))
    wait_for("the card to go", lambda: card_for(window, gone["customer_name"]) is None, 10)
    run.shot("deleted")
    pump(1)
    check(server.db_booking(gone["id"]) is None, "the booking is still in the database")
    changes = server.changes_of(gone["id"])
    check([c[0] for c in changes] == ["DELETE"], f"changes of the deleted booking: {[c[0] for c in changes]}")
    check(len(server.idempotency_records("delete")) == 1, "the delete was executed more than once")
    status, _ = server.booking(gone["id"])
    check(status == 404, f"GET the deleted booking: HTTP {status}")


@scenario("7-realtime")
def realtime(run):
    server = run.server()
    booking = pending_bookings(server)[0]
    desk = run.desk(server.url)
    window = signed_in_window(run, desk)
    filter_bookings(desk, window, booking["customer_name"])
    wait_card(desk, window, booking["customer_name"])
    wait_for("'Realtime: subscribed'", lambda: "Realtime: subscribed" in status_bar_texts(window), 15)
    run.shot("before")

    # Another client, with its own queue and no keychain, as agent1.
    r = ctl(server.url, "--email", AGENT1, "--password-stdin", "--no-keychain", "bookings", "confirm", booking["id"],
            password=PASSWORD, data_dir=os.path.join(WORK, "ctl-data"))
    ctl_done = time.monotonic()
    ctl_done_wall = time.time()
    check(r.returncode == 0, f"syncloopctl bookings confirm: exit {r.returncode}: {r.stderr}")
    seen = wait_for("the card to say confirmed",
                    lambda: card_name(window, booking["customer_name"]).endswith(", confirmed") and time.monotonic(),
                    5, interval=0.01)
    run.shot("seen")
    stamp = server.db("SELECT commit_timestamp FROM change_log WHERE record_id = ?", (booking["id"],))
    committed_wall = ctl_done_wall
    if stamp:
        try:
            committed_wall = datetime.fromisoformat(stamp[0][0].replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    latency = (seen - ctl_done) + (ctl_done_wall - committed_wall)
    run.figures["realtime_latency_ms"] = round(latency * 1000)
    log(f"the card showed the change {latency * 1000:.0f} ms after the commit")
    check(latency <= 1.0, f"the card showed the change {latency:.2f} s after the commit (limit 1 s)")
    check(server.db_booking(booking["id"]) == ("confirmed", booking["version"] + 1), "the server's row")


@scenario("8-bad-sign-in")
def bad_sign_in(run):
    server = run.server()
    desk = run.desk(server.url)
    desk.login_dialog()
    sign_in(desk, AGENT1, "not-the-password", before_ok=lambda: run.shot("wrong-password-filled"))
    message = wait_for("the dialog's message after a wrong password", lambda: dialog_message(desk.login_dialog()), 10)
    run.shot("wrong-password")
    log(f"wrong password: {message!r}")
    check(re.search(r"(?i)password", message), f"the message does not mention the password: {message!r}")

    def only_the_dialog(when):
        desk.check_alive(when)
        windows = [(role(w), name(w)) for w in desk.windows()]
        check(not any(r == "frame" for r, _ in windows), f"{when}: a main window exists: {windows}")
        check([r for r, _ in desk.showing_windows()] == ["dialog"], f"{when}: showing {desk.showing_windows()}")
    pump(1)
    only_the_dialog("after a wrong password")
    check(server.db("SELECT COUNT(*) FROM refresh_tokens")[0][0] == 0, "a wrong password created a session")

    unreachable = f"http://127.0.0.1:{free_port()}"
    sign_in(desk, AGENT1, PASSWORD, server_url=unreachable, before_ok=lambda: run.shot("unreachable-filled"))

    def reach_message():
        d = desk.login_dialog()
        m = dialog_message(d)
        if m and re.search(r"(?i)reach|connect", m):
            return m
        return None
    try:
        message = wait_for("the dialog's message for an unreachable server", reach_message, 15)
    except Failure:
        # Changing the server may give a fresh dialog that wants the password again.
        d = desk.login_dialog()
        pw = find(d, role_name="password text")
        if pw is not None and not message_text_is_set(pw):
            log("the dialog came back without the password after the server changed; typing it again")
            sign_in(desk, AGENT1, PASSWORD, server_url=unreachable)
            message = wait_for("the dialog's message for an unreachable server", reach_message, 15)
        else:
            raise
    run.shot("unreachable")
    log(f"unreachable: {message!r}")
    pump(1)
    only_the_dialog("after an unreachable server")

    # The same dialog still signs in once the address is right.
    sign_in(desk, AGENT1, PASSWORD, server_url=server.url)
    desk.main_window(timeout=15)
    run.shot("recovered")


def message_text_is_set(field):
    t = field.get_text_iface()
    return t is not None and t.get_character_count() > 0


def count(summary, state):
    return int(summary.get(state, "0").split()[0])


def tokens(server, email=AGENT1):
    """The user's refresh tokens at the server, by state: what a reuse detection did."""
    rows = server.db("SELECT CASE WHEN t.revoked <> 0 THEN 'revoked' WHEN t.used_at_ms IS NOT NULL THEN 'rotated' "
                     "ELSE 'live' END, COUNT(*), COUNT(DISTINCT t.family_id) FROM refresh_tokens t "
                     "JOIN users u ON u.id = t.user_id WHERE u.email = ? GROUP BY 1", (email,))
    return {state: f"{n} in {families} famil{'y' if families == 1 else 'ies'}" for state, n, families in rows}


@scenario("9-two-apps-one-keychain")
def two_apps(run):
    soak = float(os.environ.get("SYNCLOOP_E2E_SOAK_SECONDS", "120"))
    help_text = subprocess.run([SERVERD, "--help"], capture_output=True, text=True).stdout
    extra = []
    if "--access-token-ttl" in help_text:
        extra = ["--access-token-ttl", "20s"]  # several refreshes in the two minutes
        log("access tokens last 20 s")
    else:
        log("syncloopd has no --access-token-ttl: access tokens last the default 15 min")
    server = run.server(*extra)
    first, last = pending_bookings(server, count=2)
    desk = run.desk(server.url)
    window = signed_in_window(run, desk, remember=True)
    wait_for("booking cards", lambda: booking_cards(window), 10)

    # The command line takes the session from the same keychain, as a user would.
    r = ctl(server.url, "--email", AGENT1, "bookings", "list")
    if r.returncode != 0:
        log(f"syncloopctl found no session in the keychain ({r.stderr.strip()}); signing it in")
        r = ctl(server.url, "login", AGENT1, password=PASSWORD)
        check(r.returncode == 0, f"syncloopctl login: exit {r.returncode}: {r.stderr}")
    started = time.monotonic()
    runs = 0
    next_shot = started
    while time.monotonic() - started < soak:
        r = ctl(server.url, "--email", AGENT1, "bookings", "list", "--json")
        runs += 1
        check(r.returncode == 0, f"after {time.monotonic() - started:.0f} s (run {runs}) syncloopctl bookings list: "
              f"exit {r.returncode}: {r.stderr.strip()}; the server's refresh tokens of agent1: {tokens(server)}")
        desk.check_alive("during the two apps' run")
        shown = desk.showing_windows()
        check(not any(w[0] == "dialog" for w in shown), f"after {time.monotonic() - started:.0f} s the app asks "
              f"to sign in again: {shown}; the server's refresh tokens of agent1: {tokens(server)}")
        check(any(w[0] == "frame" for w in shown), f"the main window went away: {shown}")
        if time.monotonic() >= next_shot:
            run.shot(f"soak-{int(time.monotonic() - started):03d}s")
            next_shot += 30
        pump(3)
    log(f"{runs} syncloopctl runs in {soak:.0f} s beside the app; refresh tokens of agent1: {tokens(server)}")
    run.figures["ctl_runs"] = runs
    wait_for("'Connection: Live' after the run", lambda: "Connection: Live" in status_bar_texts(window), 10)

    # Both still act: the app confirms one booking, the command line another.
    filter_bookings(desk, window, first["customer_name"])
    wait_card(desk, window, first["customer_name"])
    press(confirm_button(window, first["customer_name"]))
    wait_for("the app's confirm", lambda: card_name(window, first["customer_name"]).endswith(", confirmed"), 15)
    run.shot("app-confirmed")
    r = ctl(server.url, "--email", AGENT1, "bookings", "confirm", last["id"])
    check(r.returncode == 0, f"syncloopctl bookings confirm: exit {r.returncode}: {r.stderr.strip()}")
    pump(1)
    check_one_confirm(server, first, first["version"])
    check_one_confirm(server, last, last["version"])
    revoked = server.db("SELECT COUNT(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id "
                        "WHERE u.email = ? AND t.revoked <> 0", (AGENT1,))[0][0]
    check(revoked == 0, f"the server revoked {revoked} refresh token(s) of agent1 (a token was reused)")

    # And the session kept in the keychain still works for the next start.
    key("ctrl+q", window)
    check(desk.wait_exit(10) == 0, "Ctrl+Q")
    desk = run.desk(server.url)

    def silent():
        desk.check_alive("restarting after the run")
        shown = desk.showing_windows()
        check(not any(r == "dialog" for r, _ in shown), f"the next start asks to sign in: {shown}")
        return any(r == "frame" for r, _ in shown)
    wait_for("a silent sign-in after the run", silent, 15)
    run.shot("restarted-silently")


@scenario("readme-demo")
def readme_demo(run):
    """README command (1), as a user runs it on a machine without a display: under xvfb-run."""
    promise = float(os.environ.get("SYNCLOOP_E2E_DEMO_WINDOW_SECONDS", "30"))
    build = os.environ["E2E_BUILD"]
    script = os.path.join(SOURCE, "packaging/run-demo.sh")
    with open(script) as f:
        knows_build_dir = "SYNCLOOP_BUILD_DIR" in f.read()
    own_tree = os.path.realpath(build) == os.path.realpath(os.path.join(SOURCE, "build"))
    check(own_tree or knows_build_dir,
          f"packaging/run-demo.sh configures and builds {SOURCE}/build, not this test's tree {build}: it would "
          "build everything again (minutes); it needs a way to use an existing build (SYNCLOOP_BUILD_DIR)")
    port = free_port()
    demo_dir = os.path.join(WORK, "demo")
    env = dict(os.environ, SYNCLOOP_PORT=str(port), SYNCLOOP_DEMO_DIR=demo_dir, SYNCLOOP_BUILD_DIR=build)
    env.pop("DISPLAY", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", script]
    lock = None
    if own_tree and os.path.exists("/tmp/syncloop-build.lock"):
        # A shared developer tree: its build runs only under the lock everyone takes; the time
        # spent waiting for it is not the demo's.
        lock = open("/tmp/syncloop-build.lock")
        waited = time.monotonic()
        fcntl.flock(lock, fcntl.LOCK_EX)
        log(f"waited {time.monotonic() - waited:.1f} s for the shared build tree's lock")
    out = open(os.path.join(WORK, "run-demo.log"), "ab")
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=SOURCE, env=env, stdout=out, stderr=out, start_new_session=True)
    log(f"started {' '.join(cmd[-1:])} under xvfb-run (port {port})")
    url = f"http://127.0.0.1:{port}"

    def the_app():
        check(proc.poll() is None, f"run-demo.sh exited with {proc.returncode} before the app appeared "
              f"(log {out.name})")
        for a in children(Atspi.get_desktop(0)):
            try:
                pid = a.get_process_id()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except Exception:  # noqa: BLE001 — an app that went away, another user's process
                continue
            if argv and argv[0].endswith(b"syncloop-desk") and url.encode() in argv:
                return pid
        return None
    try:
        pid = wait_for("syncloop-desk started by run-demo.sh", the_app, promise + 120)
        desk = Desk.attach(_Attached(pid), "demo-desk", out.name)
        environ = dict(kv.split(b"=", 1) for kv in open(f"/proc/{pid}/environ", "rb").read().split(b"\0") if b"=" in kv)
        display = environ.get(b"DISPLAY", b"").decode()
        xauth = environ.get(b"XAUTHORITY", b"").decode() or None
        dialog = desk.login_dialog(timeout=promise + 60)
        appeared = time.monotonic() - started
        run.figures["demo_window_s"] = round(appeared, 1)
        run.shots.take("demo-login-dialog", display=display, xauthority=xauth)
        log(f"the login dialog appeared {appeared:.1f} s after run-demo.sh started")
        check(appeared <= promise, f"the app window appeared after {appeared:.1f} s, not within {promise:g} s")
        server_field = find(dialog, role_name="text", name_re=r"^Server")
        check(server_field is not None, "the dialog has no Server field")
        shown = text_value(server_field)
        check(shown.rstrip("/") == url, f"the dialog's server is {shown!r}, not {url}")
        sign_in(desk, AGENT1, PASSWORD,
                before_ok=lambda: run.shots.take("demo-login-filled", display=display, xauthority=xauth))
        window = desk.main_window(timeout=15)
        wait_for("booking cards", lambda: booking_cards(window), 10)
        run.shots.take("demo-main-window", display=display, xauthority=xauth)
        quit_item = find(window, role_name="menu item", name_re=r"^Quit")
        check(quit_item is not None, "no File › Quit")
        press(quit_item)
        rc = proc.wait(timeout=20)
        check(rc == 0, f"run-demo.sh exited with {rc} after the app quit")
        with socket.socket() as s:
            check(s.connect_ex(("127.0.0.1", port)) != 0, "the demo server still runs after the app quit")
    except Failure as e:
        out.flush()
        with open(out.name, "rb") as f:
            tail = b"\n".join(f.read().splitlines()[-15:]).decode(errors="replace")
        raise Failure(f"{e}\n--- the end of run-demo.sh's output:\n{tail}") from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=10)
        if lock:
            lock.close()


class _Attached:
    """A process this test did not start (run-demo.sh started it), seen through /proc."""

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None

    def poll(self):
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                if f.read().split()[2] != "Z":
                    return None
        except OSError:
            pass
        self.returncode = -1  # gone; its status belongs to run-demo.sh
        return self.returncode

    def terminate(self):
        pass

    def kill(self):
        pass

    def wait(self, timeout=None):
        wait_for("the app to exit", lambda: self.poll() is not None, timeout or 10)
        return self.returncode


def text_value(field):
    t = field.get_text_iface()
    return t.get_text(0, t.get_character_count()) if t else ""


# ---------------------------------------------------------------------------------------------

def main(argv):
    if argv[1:] == ["--list"]:
        print("\n".join(SCENARIOS))
        return 0
    names = list(SCENARIOS) if argv[1:] in ([], ["all"]) else argv[1:]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {unknown}; known: {list(SCENARIOS)}", file=sys.stderr)
        return 2
    failed = []
    for label in names:
        run = Run(label)
        started = time.monotonic()
        log(f"=== {label}")
        try:
            SCENARIOS[label](run)
            log(f"=== {label}: PASS in {time.monotonic() - started:.1f} s {run.figures or ''}")
        except Exception as e:  # noqa: BLE001 — report any failure with what the screen showed
            failed.append(label)
            log(f"=== {label}: FAIL in {time.monotonic() - started:.1f} s: {e}")
            if not isinstance(e, Failure):
                traceback.print_exc()
            try:
                run.shot("failure")
                for d in run.desks:
                    if d.alive() and not isinstance(d.proc, _Attached):
                        print(f"--- accessibility tree of {d.label}:\n{d.tree()}")
                    print(f"--- last lines of {d.label}'s log:\n{d.log_tail()}")
            except Exception as e2:  # noqa: BLE001
                print(f"(could not describe the failure: {e2})")
        finally:
            run.close()
        crashes = [c for srv in run.servers for c in srv.crashes]
        if crashes and label not in failed:
            failed.append(label)
            log(f"=== {label}: FAIL: {'; '.join(crashes)}")
        for path in run.shots.files:
            print(f"screenshot: {path}")
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
