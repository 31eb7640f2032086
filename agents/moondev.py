"""Report to moondev-tui from a Python agent: progress, metric, alert, halt, passed.

Standard library only; copy this one file next to your agent. Each call writes one
``::moondev::`` line on stdout and flushes it (docs/agent-protocol.md). Outside moondev-tui
(MOONDEV_PROTOCOL unset) the same calls print plain words on stderr instead, so a script run by
hand reads well and its stdout stays clean.

Run as a program, it calls an agent written for the original orchestrator, unedited, and turns
what its ``run()`` returns into a verdict (docs/agents.md, "Plugging in the original agents"):

    python3 path/to/moondev.py run src.agents.risk_agent:RiskAgent

from the project's folder. True is a halt, False a pass; anything else is no verdict.
"""

import importlib
import inspect
import json
import os
import sys
import traceback

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


def passed(message=None):
    """The risk check's all-clear: it checked, and the limits hold.

    A critical agent with "requireVerdict" must say passed() or halt() before it exits 0, else
    the cycle halts. (Not ``pass``: that is a Python keyword.)
    """
    data = {"type": "pass"}
    if message is not None:
        data["message"] = str(message)
    _send(data, "PASS" if message is None else "PASS: %s" % (message,))


# The runner: `python3 moondev.py run MODULE:NAME`.

_USAGE = """usage: python3 moondev.py run MODULE:NAME [ARG ...]

Imports MODULE (a dotted name such as src.agents.risk_agent, or a path such as
src/agents/risk_agent.py) with the current folder on the import path, then calls NAME:
a class is made with no arguments and its run() called (Class.method: that method);
a function is called.
What it returns is the verdict: True -> halt, False -> pass, anything else -> none.
An exception is a failure (exit 1). ARGs become sys.argv[1:].
"""


class _UsageError(Exception):
    pass


def _is_bool(value):
    # A NumPy bool (`var_95 > limit` on an array or a DataFrame's value) is a bool too.
    kind = type(value)
    return isinstance(value, bool) or (kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool"))


def _module_name(text):
    if not text.endswith(".py"):
        return text
    parts = os.path.normpath(text[: -len(".py")]).split(os.sep)
    if os.path.isabs(text) or ".." in parts:
        raise _UsageError("%s: give the module's path inside the current folder, or its dotted name" % (text,))
    return ".".join(parts)


def _run(spec, args):
    module_text, colon, name = spec.partition(":")
    if not colon or not module_text or not name:
        raise _UsageError("%r: expected MODULE:NAME, such as src.agents.risk_agent:RiskAgent" % (spec,))
    module_name = _module_name(module_text)

    # As `python3 -m` would: the current folder (the project's) first on the import path, so that
    # `from src.config import ...` works. An agent that imports moondev gets this very module.
    cwd = os.getcwd()
    sys.path[:] = [cwd] + [entry for entry in sys.path if entry not in ("", cwd)]
    sys.modules.setdefault("moondev", sys.modules[__name__])
    sys.argv = [spec] + list(args)

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or not (module_name + ".").startswith(error.name + "."):
            raise  # a module that the agent imports: the traceback says which
        raise _UsageError(
            "cannot import %s from %s (%s); run it from the project's folder (the agent's cwd)"
            % (module_name, cwd, error)
        ) from None

    class_name, dot, method = name.partition(".")
    target = getattr(module, class_name, None)
    if target is None:
        raise _UsageError("%s has no %s" % (module_name, class_name))
    if inspect.isclass(target):
        method = method if dot else "run"
        label = "%s.%s()" % (class_name, method)
        instance = target()
        if not callable(getattr(instance, method, None)):
            raise _UsageError("%s.%s has no %s() method" % (module_name, class_name, method))
        result = getattr(instance, method)()
    elif callable(target) and not dot:
        label = "%s()" % (name,)
        result = target()
    else:
        raise _UsageError("%s.%s is not a class, a Class.method or a function" % (module_name, name))

    if _is_bool(result):
        if result:
            halt("%s returned True" % (label,))
        else:
            passed("%s returned False" % (label,))
    else:
        shown = repr(result)
        shown = shown if len(shown) <= 80 else shown[:79] + "..."
        sys.stderr.write(
            "moondev.py: %s returned %s, not True (halt) or False (pass): no verdict\n" % (label, shown)
        )
        sys.stderr.flush()


def _main(argv):
    if len(argv) < 2 or argv[0] != "run":
        sys.stderr.write(_USAGE)
        return 2
    try:
        _run(argv[1], argv[2:])
    except _UsageError as error:
        sys.stderr.write("moondev.py: %s\n" % (error,))
        return 2
    except Exception:
        sys.stderr.write("moondev.py: %s failed; no verdict:\n" % (argv[1],))
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
