"""Report to moondev-tui from a Python agent: progress, metric, alert, halt.

Standard library only; copy this one file next to your agent. Each call writes one
``::moondev::`` line on stdout and flushes it (docs/agent-protocol.md). Outside moondev-tui
(MOONDEV_PROTOCOL unset) the same calls print plain words on stderr instead, so a script run by
hand reads well and its stdout stays clean.
"""

import json
import os
import sys

_UNDER_MOONDEV = os.environ.get("MOONDEV_PROTOCOL") == "1"


def _send(message, plain):
    if _UNDER_MOONDEV:
        sys.stdout.write("::moondev::" + json.dumps(message) + "\n")
        sys.stdout.flush()
    else:
        sys.stderr.write(plain + "\n")
        sys.stderr.flush()


def progress(percent, message=None):
    """How far along the agent is, 0-100, and what it is doing."""
    percent = max(0.0, min(100.0, float(percent)))
    data = {"type": "progress", "percent": percent}
    if message is not None:
        data["message"] = str(message)
    _send(data, ("[%d%%] %s" % (round(percent), message or "")).rstrip())


def metric(name, value):
    """A number to publish, shown as <agent>.<name> in the metrics file and moondev.prom."""
    _send({"type": "metric", "name": str(name), "value": float(value)}, "metric %s = %s" % (name, value))


def alert(message, level="warning"):
    """Something a person should see: level is info, warning or critical."""
    if level not in ("info", "warning", "critical"):
        raise ValueError("level must be info, warning or critical, got %r" % (level,))
    _send({"type": "alert", "level": level, "message": str(message)}, "[%s] %s" % (level, message))


def halt(reason):
    """Stop the cycle after this agent (honoured for critical agents)."""
    _send({"type": "halt", "reason": str(reason)}, "HALT: %s" % (reason,))
