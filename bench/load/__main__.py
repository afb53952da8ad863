"""`make load`: the live room under load, against the production run on 127.0.0.1; stops by itself.

Prepares the people and a fresh room, starts the production processes (`honcho -f Procfile`,
as `make prod` does) on LOAD_PORT, and runs the asyncio client (bench/load/client.py):

- the ramp, measured apart: LOAD_VIEWERS viewers (default 2000) arrive at LOAD_SPAWN_RATE a
  second, each loads the room page and opens its server-sent-event stream;
- then LOAD_SECONDS (60) of work: 20 members post timeline entries and statement drafts through
  the API and now and then read the room page and an API list; one feeder posts 100 mentions a
  second. Every entry carries a marker; each viewer stamps when its stream delivers it.

Reports the delivery latency from each POST's answer to each viewer's receipt (p50, p95, max
over every delivery, and per entry to the last viewer), deliveries missing or twice, stream
errors, the p95 of pages and API, CPU by process group (only the processes this run started,
by pid: the honcho tree, the PostgreSQL backends serving its connections, the client), and the
peak of pg_stat_activity. Exits 1 when the target is missed: delivery p95 < 1 s, 0 errors,
pages and API p95 < 300 ms.

LOAD_EVENTS=redis (default: LIVE_EVENTS_URL, or redis://127.0.0.1:6379/2) or embedded (no
LIVE_EVENTS_URL: each web process checks the database once a second). LOAD_CLIENT_PROCS splits
the viewers over that many client processes (default 2: one process stamping 2,000 streams was
late by up to 0.5 s). LOAD_PROCFILE serves from another Procfile (default: Procfile, as
`make prod`: nginx in front, gunicorn for pages and API, uvicorn for the event streams), to
compare ways of serving: `LOAD_PROCFILE=bench/load/Procfile.uvicorn` serves everything with two
uvicorn workers on LOAD_PORT.
"""

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path

import django
import psutil
import psycopg

from crisisdesk.proxy import STREAMS_OFFSET

VIEWERS = int(os.environ.get("LOAD_VIEWERS", "2000"))
MEMBERS = 20
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "25"))  # viewers arriving per second
CLIENT_PROCS = int(os.environ.get("LOAD_CLIENT_PROCS", "2"))
EVENTS = os.environ.get("LOAD_EVENTS", "redis")
LIVE_EVENTS_URL = os.environ.get("LIVE_EVENTS_URL") or "redis://127.0.0.1:6379/2"
GRACE_SECONDS = 5  # after the last POST, for its deliveries to arrive
TARGET_DELIVERY_P95_MS, TARGET_REQUEST_P95_MS = 1000, 300
PORT = int(os.environ.get("LOAD_PORT", "8001"))
HOST = f"http://127.0.0.1:{PORT}"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "load"
BIN = Path(sys.executable).parent
PROCFILE = ROOT / os.environ.get("LOAD_PROCFILE", "Procfile")
PAGES = ("room page",)
BUSIEST = "web, its busiest process"
TOTALS = ("this run, all of it", "not this run (other work on the machine)")


def main() -> int:
    if EVENTS not in ("redis", "embedded"):
        raise SystemExit(f"LOAD_EVENTS={EVENTS!r}: redis or embedded")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("client-*.json"):
        old.unlink()
    fixture_path = OUT / "fixture.json"
    fixture = {**_prepare(), "host": HOST}
    fixture_path.write_text(json.dumps(fixture))
    server = _start_server()
    clients: list[Client] = []
    try:
        _wait_until_healthy()
        sampler = Sampler(server.pid)
        sampler.start()
        writers = Client("writers", [fixture_path])
        share = -(-VIEWERS // CLIENT_PROCS)
        viewers = [
            Client(
                "viewers", [fixture_path, first, min(share, VIEWERS - first)], rate=SPAWN_RATE / CLIENT_PROCS
            )
            for first in range(0, VIEWERS, share)
        ]
        clients = [writers, *viewers]
        sampler.clients = clients
        ramp_cpu = sampler.mark()
        writers.expect("ready")
        _wait_for_the_ramp(viewers)
        ramp_cpu = sampler.since(ramp_cpu)
        streams_by_process = sampler.streams_by_process({PORT, PORT + STREAMS_OFFSET})
        for client in viewers:
            client.send("steady")
            client.expect("steady")
        ramp_peak = dict(sampler.peak_connections)
        sampler.peak_connections.clear()
        steady_cpu = sampler.mark()
        writers.send("steady")
        writers_report = writers.report()
        steady_cpu = sampler.since(steady_cpu)
        time.sleep(GRACE_SECONDS)
        for client in viewers:
            client.send("stop")
        viewer_reports = [client.report() for client in viewers]
        sampler.stop()
    finally:
        for client in clients:
            client.kill()
        _stop(server)
    peaks = {"ramp": ramp_peak, "steady": dict(sampler.peak_connections)}
    figures = _figures(writers_report, viewer_reports, ramp_cpu, steady_cpu, peaks)
    figures["ramp"]["connections by web process"] = streams_by_process
    figures["organization_members"] = fixture["organization_members"]
    name = f"summary-{VIEWERS}-{EVENTS}.json"
    (OUT / name).write_text(json.dumps(figures, indent=1))
    return _print(figures)


# --- running it ---------------------------------------------------------------------------------


def _prepare() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
    django.setup()
    logging.disable(logging.INFO)  # a sign-in line per person otherwise
    from django.db import connections

    from bench.load.prepare import prepare

    fixture = asdict(prepare(viewers=VIEWERS, members=MEMBERS))
    connections.close_all()  # this process holds no connection during the run
    return fixture


def _server_env() -> dict:
    env = {**os.environ, "BIND": f"127.0.0.1:{PORT}", "PATH": f"{BIN}:{os.environ['PATH']}"}
    if EVENTS == "redis":
        env["LIVE_EVENTS_URL"] = LIVE_EVENTS_URL
    else:
        env.pop("LIVE_EVENTS_URL", None)
    return env


def _start_server() -> subprocess.Popen:
    log = open(OUT / "server.log", "w")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(  # noqa: S603
        [BIN / "honcho", "-f", PROCFILE, "start"],
        cwd=ROOT,
        env=_server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until_healthy(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{HOST}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The production run did not answer on {HOST}/healthz; see {OUT / 'server.log'}")


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def _wait_for_the_ramp(viewers: list["Client"]) -> None:
    """Until every viewer process has all its streams open; gives up when nothing moves for 60 s."""
    waiting = set(viewers)
    progress: dict[Client, int] = {}
    moved = time.monotonic()
    while waiting:
        for client in list(waiting):
            for message in client.messages():
                if message["event"] == "ramp":
                    waiting.discard(client)
                if message.get("opened", 0) != progress.get(client):
                    progress[client] = message.get("opened", 0)
                    moved = time.monotonic()
                if message["event"] == "progress":
                    print(f"  ramp: {sum(progress.values())} of {VIEWERS} streams open", flush=True)
        if time.monotonic() - moved > 60:
            raise SystemExit(f"The ramp stalled at {sum(progress.values())} of {VIEWERS} open streams")
        time.sleep(0.2)


class Client:
    """One client process (bench/load/client.py) and its JSON lines."""

    def __init__(self, role: str, args: list, rate: float = 0) -> None:
        env = {**os.environ, "LOAD_OUT": str(OUT), "LOAD_SECONDS": str(SECONDS)}
        env["LOAD_SPAWN_RATE_EACH"] = str(rate)
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.load.client", role, *map(str, args)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.role = role
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def messages(self) -> list[dict]:
        found = []
        while not self.lines.empty():
            message = self.lines.get()
            if message is None:
                raise SystemExit(f"The {self.role} client ended early (exit {self.process.wait()})")
            found.append(message)
        return found

    def expect(self, event: str) -> dict:
        while True:
            message = self.lines.get()
            if message is None:
                raise SystemExit(f"The {self.role} client ended early (exit {self.process.wait()})")
            if message["event"] == event:
                return message

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def report(self) -> dict:
        return json.loads(Path(self.expect("report")["path"]).read_text())

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Sampler(threading.Thread):
    """Every half second: the CPU time of every process this run started (the honcho tree, the
    PostgreSQL backends of its connections, the clients), by pid, and pg_stat_activity."""

    def __init__(self, honcho: int) -> None:
        super().__init__(daemon=True)
        self.honcho = psutil.Process(honcho)
        self.clients: list[Client] = []
        self.cpu: dict[int, tuple[str, float]] = {}  # pid: (group, CPU seconds at its last look)
        self.peak_connections: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.database = psycopg.connect(os.environ["DATABASE_URL"].split("?")[0], autocommit=True)
        self.db_port = int(self.database.info.port)

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            self.look()

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    def mark(self) -> dict:
        self.look()
        with self.lock:
            ours = dict(self.cpu)
        return {
            "pids": ours,
            "others": _others(ours),
            "machine": _machine_seconds(),
            "wall": time.monotonic(),
        }

    def since(self, mark: dict) -> dict[str, float]:
        """CPU seconds by group since `mark` (a process born since then counts from zero)."""
        now = self.mark()
        used: dict[str, float] = defaultdict(float)
        for pid, (group, seconds) in now["pids"].items():
            spent = seconds - mark["pids"].get(pid, (group, 0.0))[1]
            used[group] += spent
            if group.startswith("web"):  # one process holds one core at most (one GIL)
                used[BUSIEST] = max(used[BUSIEST], spent)
        others = sorted(
            (
                (seconds - mark["others"].get(pid, ("", 0.0))[1], name)
                for pid, (name, seconds) in now["others"].items()
            ),
            reverse=True,
        )
        top = {name: round(seconds, 2) for seconds, name in others[:4] if seconds > 0}
        seconds = now["wall"] - mark["wall"]
        return {**used, "machine": now["machine"] - mark["machine"], "seconds": seconds, "others": top}

    def streams_by_process(self, ports: set[int]) -> list[int]:
        """Open connections to the web port, per web process (how the kernel spread them)."""
        counts = []
        for process, group in self._ours():
            if group.startswith("web"):
                try:
                    connections = process.net_connections("tcp")
                except psutil.Error:
                    continue
                mine = sum(1 for c in connections if c.laddr.port in ports and c.status == "ESTABLISHED")
                if mine:
                    counts.append(mine)
        return sorted(counts, reverse=True)

    def look(self) -> None:
        seen: dict[int, tuple[str, float]] = {}
        ports: set[int] = set()
        for process, group in self._ours():
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    seen[process.pid] = (group, times.user + times.system)
                    if group.startswith(("web", "worker", "beat")):
                        ports.update(
                            connection.laddr.port
                            for connection in process.net_connections("tcp")
                            if connection.raddr and connection.raddr.port == self.db_port
                        )
            except psutil.Error:
                continue
        rows = self.database.execute("SELECT pid, client_port FROM pg_stat_activity").fetchall()
        backends = [pid for pid, port in rows if port in ports]
        for pid in backends:
            try:
                times = psutil.Process(pid).cpu_times()
                seen[pid] = ("PostgreSQL (this run's backends)", times.user + times.system)
            except psutil.Error:
                continue
        with self.lock:
            self.cpu.update(seen)
            self.peak_connections["all"] = max(self.peak_connections["all"], len(rows))
            self.peak_connections["ours"] = max(self.peak_connections["ours"], len(backends))

    def _ours(self):
        """(process, group) for honcho and everything under it, then the clients."""
        todo = [(self.honcho, "honcho")]
        while todo:
            process, inherited = todo.pop()
            group = _group(process) or inherited
            yield process, group
            try:
                todo += [(child, group) for child in process.children()]
            except psutil.Error:
                continue
        for client in self.clients:
            try:
                yield psutil.Process(client.process.pid), f"client ({client.role})"
            except psutil.Error:
                continue


def _group(process: psutil.Process) -> str | None:
    """What a process runs, by the programs on its command line; None for a helper process (a
    shell, a spawned child), which belongs to its parent's group."""
    try:
        words = [word.rsplit("/", 1)[-1] for word in process.cmdline()]
    except psutil.Error:
        return None
    if "honcho" in words:
        return "honcho"
    if any(word.startswith("nginx") for word in words):
        return "proxy (nginx)"
    if "uvicorn" in words or "gunicorn" in words:
        return f"web ({'uvicorn' if 'uvicorn' in words else 'gunicorn'})"
    if "celery" in words:
        return "beat (celery)" if "beat" in words else "worker (celery)"
    return None


def _others(ours: dict) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of every process on the machine that is not this run's (nor this one)."""
    found = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.pid not in ours and process.pid != os.getpid() and process.info["cpu_times"]:
            times = process.info["cpu_times"]
            found[process.pid] = (process.info["name"], times.user + times.system)
    return found


def _machine_seconds() -> float:
    times = psutil.cpu_times()
    return times.user + times.system + times.nice + getattr(times, "irq", 0) + getattr(times, "softirq", 0)


# --- figures ------------------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"count": len(ordered), "p50": at(0.50), "p95": at(0.95), "max": ordered[-1]}


def _figures(writers: dict, viewers: list[dict], ramp_cpu: dict, steady_cpu: dict, peaks: dict) -> dict:
    receipts: dict[str, list[float]] = defaultdict(list)
    for report in viewers:
        for marker, times in report["receipts"].items():
            receipts[marker].extend(times)
    delivery: dict[str, dict] = {}
    for kind, prefix in (("entries", "LDM"), ("statements", "LDS")):
        every, last, missing, early = [], [], 0, 0
        posts = {marker: post for marker, post in writers["posts"].items() if marker.startswith(prefix)}
        for marker, post in posts.items():
            times = receipts.get(marker, [])
            missing += VIEWERS - len(times)
            early += sum(1 for moment in times if moment < post["answered"])
            latencies = [max(0.0, moment - post["answered"]) * 1000 for moment in times]
            every += latencies
            if latencies and len(times) == VIEWERS:
                last.append(max(latencies))
        delivery[kind] = {
            "posted": len(posts),
            "every viewer": _percentiles(every),
            "last viewer": _percentiles(last),
            "missing": missing,
            "before the POST's answer": early,
        }
    requests = {}
    for name, timings in sorted(writers["timings"].items()):
        errors = sum(count for key, count in writers["failures"].items() if key.startswith(f"{name}:"))
        requests[name] = {**_percentiles(timings), "errors": errors}

    def merged(phase: str, key: str) -> Counter:
        total: Counter = Counter()
        for report in viewers:
            total.update(report[phase][key])
        return total

    ramp_pages = [ms for report in viewers for ms in report["ramp"]["page_ms"]]
    return {
        "viewers": VIEWERS,
        "events": EVENTS,
        "seconds": SECONDS,
        "client_processes": CLIENT_PROCS,
        "ramp": {
            "all_open_seconds": max(report["ramp"]["all_open_seconds"] for report in viewers),
            "room page": _percentiles(ramp_pages),
            "errors": dict(merged("ramp", "errors")),
            "events": dict(merged("ramp", "events")),
            "cpu": ramp_cpu,
        },
        "steady": {
            "delivery": delivery,
            "requests": requests,
            "request errors": writers["failures"],
            "stream errors": dict(merged("steady", "errors")),
            "ended by server": sum(report["steady"]["ended_by_server"] for report in viewers),
            "duplicates": sum(report["steady"]["duplicates"] for report in viewers),
            "events": dict(merged("steady", "events")),
            "megabytes": sum(report["steady"]["bytes"] for report in viewers) / 1e6,
            "client loop lag p99 ms": max(report["steady"]["loop_lag_p99_ms"] for report in viewers),
            "client loop lag max ms": max(report["steady"]["loop_lag_max_ms"] for report in viewers),
            "cpu": steady_cpu,
        },
        "pg_stat_activity peak": peaks,
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def _print(figures: dict) -> int:
    ramp, steady = figures["ramp"], figures["steady"]
    mode = f"redis ({LIVE_EVENTS_URL})" if EVENTS == "redis" else "embedded (no LIVE_EVENTS_URL)"
    print(f"\nmake load: {VIEWERS} viewers in one room, {MEMBERS} members, 1 feeder, {SECONDS} s; {mode}")
    members = figures["organization_members"]
    print(f"(the organization has {members} members; the room's pickers of people list them)")
    page = ramp["room page"]
    ramp_errors = sum(ramp["errors"].values())
    print(
        f"Ramp: {VIEWERS} streams open in {ramp['all_open_seconds']:.1f} s at {SPAWN_RATE:.0f}/s "
        f"(room page p50 {_ms(page['p50'])}, p95 {_ms(page['p95'])}, max {_ms(page['max'])} ms), "
        f"errors {ramp_errors}"
    )
    for error, count in ramp["errors"].items():
        print(f"  ramp error ×{count}: {error}")
    spread = " + ".join(map(str, ramp["connections by web process"]))
    print(f"  connections to the web port when the ramp ended, by web process: {spread}")
    print(f"\n{'delivery (ms), POST answered → read':<40}{'count':>9}{'p50':>7}{'p95':>7}{'max':>7}  missing")
    for kind, row in steady["delivery"].items():
        for scope in ("every viewer", "last viewer"):
            cell = row[scope]
            print(
                f"{kind + ', ' + scope:<40}{cell['count']:>9}{_ms(cell['p50']):>7}{_ms(cell['p95']):>7}"
                f"{_ms(cell['max']):>7}  {row['missing'] if scope == 'every viewer' else ''}"
            )
    early = sum(row["before the POST's answer"] for row in steady["delivery"].values())
    if early:
        print(f"  ({early} deliveries arrived before the POST's own answer: counted as 0 ms)")
    print(f"\n{'request (ms), steady':<40}{'count':>9}{'p50':>7}{'p95':>7}{'max':>7}  errors")
    for name, row in steady["requests"].items():
        cells = f"{_ms(row['p50']):>7}{_ms(row['p95']):>7}{_ms(row['max']):>7}"
        print(f"{name:<40}{row['count']:>9}{cells}  {row['errors']}")
    for error, count in steady["request errors"].items():
        print(f"  request error ×{count}: {error}")
    stream_errors = sum(steady["stream errors"].values())
    print(
        f"\nStreams (steady): errors {stream_errors}, ended by the server {steady['ended by server']}, "
        f"duplicates {steady['duplicates']}, {steady['megabytes']:.0f} MB read; events "
        + ", ".join(f"{name} {count}" for name, count in sorted(steady["events"].items()))
    )
    for error, count in steady["stream errors"].items():
        print(f"  stream error ×{count}: {error}")
    print(
        f"Client event loop late by p99 {steady['client loop lag p99 ms']:.0f} ms, "
        f"max {steady['client loop lag max ms']:.0f} ms (receipts are stamped that late)"
    )
    print(f"\nCPU in cores of {psutil.cpu_count()} (processes of this run, by pid){'ramp':>10}{'steady':>9}")
    for phase in (ramp, steady):
        cpu = phase["cpu"]
        ours = sum(
            used for group, used in cpu.items() if group not in ("seconds", "machine", "others", BUSIEST)
        )
        cpu[TOTALS[0]], cpu[TOTALS[1]] = ours, cpu["machine"] - ours
    groups = sorted(
        {*ramp["cpu"], *steady["cpu"]} - {"seconds", "machine", "others", *TOTALS},
        key=lambda group: -steady["cpu"].get(group, 0),
    )
    for group in [*groups, *TOTALS]:
        print(
            f"  {group:<54}{ramp['cpu'].get(group, 0) / ramp['cpu']['seconds']:>8.2f}"
            f"{steady['cpu'].get(group, 0) / steady['cpu']['seconds']:>9.2f}"
        )
    for name, phase in (("ramp", ramp), ("steady", steady)):
        seconds = phase["cpu"]["seconds"]
        busiest = ", ".join(f"{who} {used / seconds:.2f}" for who, used in phase["cpu"]["others"].items())
        print(f"    other work, busiest ({name}): {busiest}")
    for phase, peak in figures["pg_stat_activity peak"].items():
        print(
            f"pg_stat_activity peak ({phase}): {peak.get('all', 0)} rows, "
            f"{peak.get('ours', 0)} of them serving this run's processes"
        )

    entries = steady["delivery"]["entries"]
    rows = steady["requests"].items()
    page_p95 = max((row["p95"] or 0 for name, row in rows if name in PAGES), default=0)
    api_p95 = max((row["p95"] or 0 for name, row in rows if name not in PAGES), default=0)
    errors = (
        ramp_errors + stream_errors + sum(steady["request errors"].values())
        + entries["missing"] + steady["duplicates"]
    )  # fmt: skip
    missed = []
    if entries["every viewer"]["p95"] is None or entries["every viewer"]["p95"] >= TARGET_DELIVERY_P95_MS:
        missed.append(f"delivery p95 {_ms(entries['every viewer']['p95'])} ms")
    if errors:
        missed.append(f"{errors} errors (stream, request, missing or duplicate deliveries)")
    if page_p95 >= TARGET_REQUEST_P95_MS:
        missed.append(f"room page p95 {page_p95:.0f} ms")
    if api_p95 >= TARGET_REQUEST_P95_MS:
        missed.append(f"API p95 {api_p95:.0f} ms")
    print(
        f"\nTarget: delivery p95 < {TARGET_DELIVERY_P95_MS} ms, 0 errors, pages and API p95 < "
        f"{TARGET_REQUEST_P95_MS} ms: " + ("met" if not missed else "MISSED (" + "; ".join(missed) + ")")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
