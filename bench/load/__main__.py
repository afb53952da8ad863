"""`make load`: a load test against the production run on 127.0.0.1 that stops by itself.

Prepares the people and the room, starts the production processes (gunicorn with 2 workers,
a Celery worker and beat, on PostgreSQL and Redis) on LOAD_PORT, and runs locust headless:
500 room viewers (LOAD_VIEWERS), 20 members and 1 feeder join at 25 a second. The ramp (each
viewer opens the room, then 5 seconds for that queue to drain) and the next 60 seconds of
steady work are measured apart. Stops everything and prints requests/s, latency percentiles
and errors of both phases and where the CPU went. Exits 1 when the steady phase misses the
target (0 errors, p95 under 300 ms).
"""

import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

import django
import psutil

VIEWERS = int(os.environ.get("LOAD_VIEWERS", "500"))  # fewer, to find what this machine holds
MEMBERS, SECONDS, SPAWN_PER_SECOND = 20, 60, 25
USERS = VIEWERS + MEMBERS + 1
RAMP_SECONDS = math.ceil(USERS / SPAWN_PER_SECOND)
TARGET_P95_MS = 300
PORT = int(os.environ.get("LOAD_PORT", "8001"))
HOST = f"http://127.0.0.1:{PORT}"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "load"
BIN = Path(sys.executable).parent


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    fixture = OUT / "fixture.json"
    fixture.write_text(json.dumps(_prepare()))
    server = _start_server()
    try:
        _wait_until_healthy()
        report = OUT / "report.json"
        report.unlink(missing_ok=True)
        locust = _start_locust(fixture, report)
        before = _cpu_when_steady(locust, Path(f"{report}.steady"))
        locust.wait()
        after = _cpu_by_group()
    finally:
        _stop(server)
    if not report.exists():
        raise SystemExit(f"locust ended before every viewer had the room open; see {OUT / 'server.log'}")
    phases = json.loads(report.read_text())
    _print("Ramp: everyone opens the room", phases["ramp"])
    _print(f"Steady: {SECONDS} s of polling, writing and feeding", phases["steady"])
    _print_cpu(phases["steady"], {group: after.get(group, 0) - before.get(group, 0) for group in after})
    total = phases["steady"]["rows"]["Aggregated"]
    met = total["failures"] == 0 and total["p95"] < TARGET_P95_MS
    verdict = "met" if met else "MISSED"
    print(f"\nTarget for the steady phase, 0 errors and p95 < {TARGET_P95_MS} ms: {verdict}")
    return 0 if met else 1


def _prepare() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
    django.setup()
    from bench.load.prepare import prepare

    return asdict(prepare(viewers=VIEWERS, members=MEMBERS))


def _start_server() -> subprocess.Popen:
    log = open(OUT / "server.log", "w")  # noqa: SIM115 - lives as long as the server
    env = {**os.environ, "BIND": f"127.0.0.1:{PORT}", "PATH": f"{BIN}:{os.environ['PATH']}"}
    return subprocess.Popen(  # noqa: S603
        [BIN / "honcho", "-f", ROOT / "Procfile", "start"],
        cwd=ROOT,
        env=env,
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


def _start_locust(fixture: Path, report: Path) -> subprocess.Popen:
    command = [
        BIN / "locust",
        "--locustfile", ROOT / "bench" / "load" / "locustfile.py",
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "--users", str(USERS), "--spawn-rate", str(SPAWN_PER_SECOND),
        "--run-time", f"{RAMP_SECONDS + SECONDS + 120}s", "--stop-timeout", "5",  # a bound only
        "--host", HOST,
    ]  # fmt: skip
    env = {
        **os.environ,
        "LOAD_FIXTURE": str(fixture),
        "LOAD_REPORT": str(report),
        "LOAD_SECONDS": str(SECONDS),
    }
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


GROUPS = {
    "gunicorn": "web (gunicorn)",
    "celery": "worker and beat",
    "postgres": "PostgreSQL",
    "redis": "Redis",
}


def _cpu_when_steady(locust: subprocess.Popen, marker: Path) -> dict[str, float]:
    marker.unlink(missing_ok=True)
    while not marker.exists() and locust.poll() is None:
        time.sleep(0.2)
    return _cpu_by_group()


def _cpu_by_group() -> dict[str, float]:
    """CPU seconds used so far by each group of processes on this machine, and by all of them."""
    seconds: dict[str, float] = {"machine": sum(psutil.cpu_times()[:3])}
    for process in psutil.process_iter(["cmdline", "cpu_times"]):
        command = " ".join(process.info["cmdline"] or [])
        group = next((label for key, label in GROUPS.items() if key in command), None)
        if group and process.info["cpu_times"]:
            times = process.info["cpu_times"]
            seconds[group] = seconds.get(group, 0) + times.user + times.system
    return seconds


def _print(title: str, figures: dict) -> None:
    print(f"\n{title} ({VIEWERS} room viewers, {MEMBERS} members, 1 feeder; {figures['seconds']:.0f} s)")
    header = f"{'request':<18}{'count':>8}{'errors':>8}{'req/s':>8}"
    print(f"{header}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}  (ms)")
    for name, row in sorted(figures["rows"].items(), key=lambda item: item[0] == "Aggregated"):
        print(
            f"{name:<18}{row['requests']:>8}{row['failures']:>8}{row['rps']:>8.1f}"
            f"{row['p50']:>7.0f}{row['p95']:>7.0f}{row['p99']:>7.0f}{row['max']:>7.0f}"
        )
    for error, count in figures["errors"].items():
        print(f"  error ×{count}: {error}")


def _print_cpu(figures: dict, cpu: dict[str, float]) -> None:
    wall = figures["seconds"]
    busy = cpu.pop("machine") / wall
    print(f"\nCPU in the steady phase, in cores of {psutil.cpu_count()} (machine busy: {busy:.2f}):")
    for group, used in sorted(cpu.items(), key=lambda item: -item[1]):
        print(f"  {group:<20}{used / wall:>6.2f}")
    print(f"  {'generator (locust)':<20}{figures['generator_cpu_share']:>6.2f}")


if __name__ == "__main__":
    sys.exit(main())
