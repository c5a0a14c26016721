"""``cables serve``: the real command, serving the app under waitress."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from indexer.cli import cli


def test_serve_help_says_what_0000_means():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "127.0.0.1 serves only this machine; 0.0.0.0 listens on every network interface" in text
    assert "[default: 127.0.0.1]" in text


@pytest.mark.parametrize("processes", [1, 2])
def test_serve_runs_waitress_on_loopback_and_stops_on_ctrl_c(index_dir, processes):
    command = ["serve", "--index", str(index_dir), "--port", "0", "--processes", str(processes)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", *command],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = proc.stderr.readline().strip()
        assert first.startswith(f"Serving {index_dir} at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1]
        for _ in range(2 * processes):  # each worker opens the index on its first request
            with urllib.request.urlopen(url + "search?q=flamingo", timeout=30) as resp:
                assert resp.status == 200
                assert resp.headers["Server"] == "cablesearch"
                assert resp.headers["X-Frame-Options"] == "DENY"
                page = resp.read().decode("utf-8")
                assert '<h1 id="results-h" class="total">3 cables</h1>' in page
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        proc.stderr.close()
    assert code == 0


def test_serve_on_a_busy_port_exits_1_with_a_message(index_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--index", str(index_dir), "--port", str(port), "-q"]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use. "
        "Pick another --port.\n"
    )
