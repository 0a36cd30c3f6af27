"""On the town's intranet nothing may call out: the server, started as the README says,
looks up no outside host (no usage statistics, no public-IP check)."""

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Imported by every Python process started with this folder on PYTHONPATH: it records
# each host name the process tries to resolve or reach that is not this machine.
SITECUSTOMIZE = textwrap.dedent(
    """
    import os, socket
    _log = os.environ["FAZHI_NET_LOG"]
    _local = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", None)
    _getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect

    def _note(host):
        if host not in _local and not str(host).startswith("127."):
            with open(_log, "a") as handle:
                handle.write(f"{host}\\n")

    def getaddrinfo(host, *args, **kwargs):
        _note(host)
        return _getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple):
            _note(address[0])
        return _connect(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_dashboard_server_calls_no_outside_host(tmp_path, demo_db):
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "FAZHI_NET_LOG": str(log), "FAZHI_DB": str(demo_db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("the server did not start") from None
                time.sleep(0.2)  # polling the health endpoint; there is no event to wait on
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "External URL" not in output and "Did not auto detect external IP" not in output
    assert not log.exists() or log.read_text() == "", f"looked up: {log.read_text()}"
