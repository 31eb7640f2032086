"""An example Python agent: three steps, a metric, and a verdict: halt when asked to, else pass.

Run it by hand (python3 agents/example_agent.py) or from a config:
    "example": {"command": "python3 agents/example_agent.py --steps 3", "enabled": true}

As a critical agent with "requireVerdict": true it must say halt() or passed() before it exits 0.
"""

import argparse
import time

import moondev

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--step-seconds", type=float, default=0.2)
parser.add_argument("--halt", help="ask to halt the cycle with this reason")
args = parser.parse_args()

for step in range(1, args.steps + 1):
    time.sleep(args.step_seconds)
    print("working on step %d" % step)
    moondev.progress(100 * step / args.steps, "step %d of %d" % (step, args.steps))

moondev.metric("steps", args.steps)
if args.halt:
    moondev.halt(args.halt)
else:
    moondev.passed("steps done: %d" % args.steps)
