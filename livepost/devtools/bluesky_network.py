"""A real local Bluesky network (PLC + PDS + AppView) on 127.0.0.1, for tests and trying livepost.

The servers are the reference implementations from the npm package ``@atproto/dev-env``, run by
``harness/network.js`` in one Node process; the AppView keeps its index in a throwaway PostgreSQL.
Everything is thrown away afterwards: no process and no folder is left behind.

By hand: ``python -m livepost.devtools.bluesky_network`` (the CLI wires it as ``livepost devnet``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from livepost.devtools.postgres import free_port, temporary_postgres
from livepost.errors import ConfigError, LivepostError, NetworkError

HARNESS_ENV = "LIVEPOST_HARNESS_DIR"
DEFAULT_ACCOUNTS = ("alice", "bob", "carol")
DEFAULT_PDS_PORT = 2583  # the port dev-env and the Bluesky docs use for a local PDS
_STDERR_TAIL_LINES = 40
_DIGITS_TO_LETTERS = str.maketrans("0123456789", "ghijklmnop")  # schema names: [A-Za-z_] only


@dataclass(frozen=True)
class NetworkAccount:
    """A test account on the local PDS: its account password and an app password for livepost."""

    handle: str
    did: str
    password: str
    app_password: str


def harness_dir() -> Path:
    """The folder holding ``network.js`` and its ``package.json`` (a checkout's ``harness/``)."""
    override = os.environ.get(HARNESS_ENV)
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "harness"
    if not (folder / "network.js").is_file():
        raise ConfigError(
            f"The local Bluesky network harness was not found in {folder}",
            hint=f"Run this from a livepost checkout, or set {HARNESS_ENV} to its harness/ folder.",
        )
    return folder


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigError(
            f"{name} was not found: the local Bluesky network runs on Node.js",
            hint="Install Node.js 18 or newer with npm (Debian: apt-get install nodejs npm).",
        )
    return found


def _tail(text: str, lines: int = _STDERR_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _sqlite_loads(harness: Path, node: str) -> bool:
    probe = subprocess.run(
        [node, "-e", "require('better-sqlite3')(':memory:')"],
        cwd=harness,
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0


def ensure_node_modules(harness: Path) -> None:
    """Install the harness's Node packages from its lockfile if missing; fix a stale native build.

    Idempotent: a complete install costs one ``node -e`` probe. better-sqlite3 is a native module
    compiled for one Node version, so after a Node upgrade it is rebuilt.
    """
    node, npm = _tool("node"), _tool("npm")
    if not (harness / "node_modules" / "@atproto" / "dev-env").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=harness,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ConfigError(
                f"npm ci failed in {harness}:\n{_tail(done.stdout + done.stderr)}",
                hint="Check that the npm registry is reachable, then run: cd harness && npm ci",
            )
    if not _sqlite_loads(harness, node):
        done = subprocess.run(
            [npm, "rebuild", "better-sqlite3"], cwd=harness, capture_output=True, text=True
        )
        if done.returncode != 0 or not _sqlite_loads(harness, node):
            raise ConfigError(
                f"better-sqlite3 does not load under this Node.js:\n"
                f"{_tail(done.stdout + done.stderr)}",
                hint="Install a C++ compiler and Node's headers, then: "
                "cd harness && npm rebuild better-sqlite3",
            )


class LocalNetwork:
    """A running network: its URLs and test accounts, and a way to let the AppView catch up."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        lines: queue.Queue[str | None],
        ready: dict[str, Any],
        stderr_path: Path,
        tmpdir: Path,
        start_seconds: float,
        database_url: str,
    ) -> None:
        self._process = process
        self._lines = lines
        self._stderr_path = stderr_path
        self._lock = threading.Lock()
        self.pds_url: str = ready["pds"]
        self.plc_url: str = ready["plc"]
        self.appview_url: str = ready["appview"]
        self.rate_limits: bool = bool(ready.get("rate_limits"))
        self.accounts: tuple[NetworkAccount, ...] = tuple(
            NetworkAccount(a["handle"], a["did"], a["password"], a["app_password"])
            for a in ready["accounts"]
        )
        self.tmpdir = tmpdir  # every file of this network (the PDS's SQLite, blobs, Node's log)
        self.start_seconds = start_seconds
        self.database_url = database_url  # the AppView's PostgreSQL

    def is_running(self) -> bool:
        """Whether the Node process is still up."""
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        """The Node process running the servers."""
        return self._process.pid

    def account(self, name: str) -> NetworkAccount:
        """The account ``alice`` or ``alice.test``."""
        for account in self.accounts:
            if name in (account.handle, account.handle.split(".", 1)[0]):
                return account
        raise KeyError(name)

    def stderr_tail(self) -> str:
        """The last lines the Node process logged, for error messages."""
        try:
            return _tail(self._stderr_path.read_text(errors="replace"))
        except OSError:
            return ""

    def process_all(self, timeout: float = 60.0) -> None:
        """Wait until the AppView has indexed every write so far (likes, reposts, replies)."""
        reply = self._command("process", timeout)
        if not reply.get("ok"):
            raise NetworkError(f"The local AppView could not catch up: {reply.get('error')}")

    def _command(self, command: str, timeout: float) -> dict[str, Any]:
        with self._lock:
            stdin = self._process.stdin
            if stdin is None or self._process.poll() is not None:
                raise NetworkError(self._died_message("has stopped"))
            stdin.write(command + "\n")
            stdin.flush()
            deadline = time.monotonic() + timeout
            while True:
                try:
                    line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise NetworkError(
                        f"The local Bluesky network did not answer {command!r} within {timeout:g} s"
                    ) from None
                if line is None:
                    raise NetworkError(self._died_message(f"stopped during {command!r}"))
                message = _parse_line(line)
                if message is not None and message.get("reply") == command:
                    return message

    def _died_message(self, what: str) -> str:
        return f"The local Bluesky network {what}. Node's last words:\n{self.stderr_tail()}"


def _parse_line(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Move the Node process's stdout lines into a queue so reads can time out."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def _stop(process: subprocess.Popen[str], grace: float = 20.0) -> None:
    """Close stdin and send SIGTERM (both ask Node to close cleanly), then SIGKILL if it hangs."""
    if process.poll() is None:
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # its own session: take any child too
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream:
            with contextlib.suppress(OSError):
                stream.close()


def _wait_ready(
    process: subprocess.Popen[str], lines: queue.Queue[str | None], timeout: float, log: Path
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(0.0, remaining))
        except queue.Empty:
            raise NetworkError(
                f"The local Bluesky network did not start within {timeout:g} s. "
                f"Node's last words:\n{_tail(log.read_text(errors='replace'))}"
            ) from None
        if line is None:
            process.wait(10)
            raise NetworkError(
                f"The local Bluesky network exited (code {process.returncode}) before it was "
                f"ready. Node's last words:\n{_tail(log.read_text(errors='replace'))}"
            )
        message = _parse_line(line)
        if message is None:
            continue
        if "error" in message:
            raise NetworkError(
                f"The local Bluesky network failed to start: {message['error']}\n"
                f"Node's last words:\n{_tail(log.read_text(errors='replace'))}"
            )
        if "pds" in message:
            return message


START_ATTEMPTS = 3  # a port taken between free_port() and Node's listen(): start again


def _port_clash(error: NetworkError) -> bool:
    """Whether Node failed to start because a port it was given had been taken meanwhile."""
    return "EADDRINUSE" in error.message


@contextlib.contextmanager
def local_network(
    accounts: Sequence[str] = DEFAULT_ACCOUNTS,
    rate_limits: bool = False,
    *,
    pds_port: int | None = None,
    database_url: str | None = None,
    harness: Path | None = None,
    start_timeout: float = 180.0,
) -> Iterator[LocalNetwork]:
    """Start PLC + PDS + AppView (and PostgreSQL unless ``database_url`` is given), yield, stop.

    ``accounts`` are names (``alice`` becomes ``alice.test``, password ``alice-password``) each
    also given an app password. ``rate_limits`` switches on the PDS's real rate limits. dev-env
    takes fixed ports, so free ones are picked; if one is taken before Node binds it, Node starts
    again on fresh ports (up to ``START_ATTEMPTS`` times).
    """
    harness = harness or harness_dir()
    ensure_node_modules(harness)
    node = _tool("node")
    root = Path(tempfile.mkdtemp(prefix="livepost-network-"))
    try:
        with contextlib.ExitStack() as stack:
            url = database_url or stack.enter_context(temporary_postgres())
            started = time.monotonic()
            for attempt in range(1, START_ATTEMPTS + 1):
                log_path = root / ("node.log" if attempt == 1 else f"node-{attempt}.log")
                command = [
                    node,
                    str(harness / "network.js"),
                    "--plc-port", str(free_port()),
                    "--pds-port", str(pds_port or free_port()),
                    "--bsky-port", str(free_port()),
                    "--ozone-port", str(free_port()),
                    "--accounts", ",".join(accounts),
                    "--tmpdir", str(root / f"tmp-{attempt}"),
                ]  # fmt: skip
                if rate_limits:
                    command.append("--rate-limits")
                env = dict(
                    os.environ,
                    DB_POSTGRES_URL=url,
                    # a fresh schema each attempt: a failed one may have left tables behind
                    DB_POSTGRES_SCHEMA="lp_" + uuid.uuid4().hex[:12].translate(_DIGITS_TO_LETTERS),
                )
                log = stack.enter_context(log_path.open("w"))
                process = subprocess.Popen(
                    command,
                    cwd=root,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    bufsize=1,
                    start_new_session=True,  # Ctrl-C reaches us; we stop Node in order
                )
                stack.callback(_stop, process)
                lines: queue.Queue[str | None] = queue.Queue()
                assert process.stdout is not None
                threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
                try:
                    ready = _wait_ready(process, lines, start_timeout, log_path)
                except NetworkError as exc:
                    _stop(process)
                    if attempt == START_ATTEMPTS or not _port_clash(exc):
                        raise
                    continue
                break
            elapsed = time.monotonic() - started
            yield LocalNetwork(process, lines, ready, log_path, root, elapsed, url)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def render_ready(network: LocalNetwork) -> str:
    """What ``livepost devnet`` prints: URLs, accounts and a ``.env`` snippet to paste."""
    first = network.accounts[0] if network.accounts else None
    out = [
        f"Local Bluesky network ready in {network.start_seconds:.1f} s "
        "(PLC + PDS + AppView on 127.0.0.1; everything is deleted on exit).",
        f"  PDS:      {network.pds_url}",
        f"  AppView:  {network.appview_url}",
        f"  PLC:      {network.plc_url}",
    ]
    if network.rate_limits:
        out.append("  Rate limits: on (the PDS's real limits)")
    out.append("Test accounts (handle, DID, account password, app password):")
    for account in network.accounts:
        out.append(
            f"  {account.handle:<14} {account.did}  {account.password}  {account.app_password}"
        )
    if first:
        out += [
            "",
            "Paste into .env to use livepost with this network:",
            f"LIVEPOST_SERVICE={network.pds_url}",
            f"LIVEPOST_HANDLE={first.handle}",
            f"LIVEPOST_APP_PASSWORD={first.app_password}",
            "",
        ]
    out.append("Press Ctrl-C to stop.")
    return "\n".join(out)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Start the network, print how to use it, and keep it up until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="livepost devnet",
        description="Run a local Bluesky network (PLC + PDS + AppView) with test accounts.",
    )
    parser.add_argument(
        "--accounts",
        default=",".join(DEFAULT_ACCOUNTS),
        help="comma-separated account names (default: %(default)s)",
    )
    parser.add_argument(
        "--pds-port",
        type=int,
        default=None,
        help=f"PDS port (default: {DEFAULT_PDS_PORT} if free, else any; 0: any free port)",
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="switch on the PDS's real rate limits"
    )
    args = parser.parse_args(argv)
    port = args.pds_port
    if port is None and _port_free(DEFAULT_PDS_PORT):
        port = DEFAULT_PDS_PORT
    names = [name.strip() for name in args.accounts.split(",") if name.strip()]

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    print("Starting the local Bluesky network...", file=sys.stderr, flush=True)
    try:
        with local_network(names, rate_limits=args.rate_limits, pds_port=port) as network:
            print(render_ready(network), flush=True)
            try:
                while network.is_running():
                    time.sleep(0.5)
            except KeyboardInterrupt:
                print("\nStopping the local Bluesky network...", file=sys.stderr, flush=True)
                return 0
            print(network._died_message("stopped on its own"), file=sys.stderr)
            return int(NetworkError.exit_code)
    except KeyboardInterrupt:
        return 0
    except LivepostError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return int(exc.exit_code)


if __name__ == "__main__":
    raise SystemExit(main())
