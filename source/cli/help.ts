/** The `--help` text. */
export const helpText = `
  Run trading agents in repeating cycles; watch and steer them live.

Usage
  $ moondev-tui [options]            full-screen TUI (headless when stdout is not a TTY)
  $ moondev-tui run <agent>          run one agent once (its retries and timeout apply), stream its output
  $ moondev-tui validate             check the config, print the resolved agents and phases
  $ moondev-tui init                 write a starter .config/moondev.json here (never overwrites)
  $ moondev-tui toggles [reset]      list (or forget) the agents turned on/off in the TUI for this config
  $ moondev-tui attach               the full TUI on an engine already running (q detaches; it goes on)
  $ moondev-tui status [--json]      one look at a running engine: cycle, state, each agent's status and health
  $ moondev-tui pause | resume | force | stop | reload
  $ moondev-tui enable <agent> | disable <agent> [--yes] | cancel <agent>
  $ moondev-tui logs <agent> [-f]    an agent's log (-f: follow, as tail -f)
  $ moondev-tui notify test          send one message to every notify target, report each (exit 1 if one fails)
  $ moondev-tui worker --redis <url> [--tags gpu,eu] [--concurrency n]
                                     run the agents with runOn among its tags for an engine on another
                                     machine, from this machine's own config (docs/workers.md)

  The commands on a running engine find it as an engine finds its place (--config, --demo,
  --metrics-dir); with none running they say so and list this user's running engines.

Options
  --config <file>         config file (default: ./.config/moondev.json; none found is an error)
  --demo                  run the bundled demo agents (paper trading on sample data), writing under data/moondev-demo
  --headless              no TUI: one text line per event, the dashboard after each cycle
  --json                  with --headless: one JSON object per line instead of text
  --once                  run exactly one cycle, then exit
  --agents <a,b,…>        run exactly these non-critical agents this run (critical agents always run)
  --max-workers <n>       override orchestrator.maxWorkers
  --timeout <seconds>     override orchestrator.timeoutPerAgent
  --sleep <minutes>       override orchestrator.sleepBetweenRunsMinutes
  --metrics-dir <dir>     override orchestrator.metricsExportDir
  --yes, -y               disable: confirm turning off a critical agent (for the next cycle only)
  --follow, -f            logs: follow the log as it grows
  --listen <host:port>    also serve GET /metrics (Prometheus) and /healthz over HTTP (host 127.0.0.1
                          by default: --listen 9100); read-only
  --redis <url>           worker: the engine's Redis (or MOONDEV_REDIS_URL, which keeps it out of ps); never printed
  --tags <a,b,…>          worker: the tags it carries; it runs the agents whose runOn is one of them
  --concurrency <n>       worker: attempts at once (default 1)
  --help, --version

Exit codes
  0    done: with --once and for run, every agent that ran succeeded; a TUI quit with q
  1    with --once and for run: an agent failed, timed out or was cancelled; or moondev-tui crashed
  2    usage or config error (also: no config found, nothing enabled under --once, a config that is
       not a regular file, too large or too deep); the metrics folder or config held by another
       engine, or a metrics folder that cannot be used; run <agent> beside a running engine;
       the workers' queue held by another engine, or its Redis unreachable at start
  3    the cycle was halted by a critical agent (it asked, gave no verdict, or could not run)
  For the commands on a running engine: 0 done (stop: once the engine has ended), 1 refused by
  the engine (its reason on stderr), 2 no engine running there, or a usage error.
  An engine stopped with \`moondev-tui stop\` exits 0.
  130 / 143 / 129   stopped by SIGINT / SIGTERM / SIGHUP: agents got their grace, the cycle was recorded
  141  stdout was closed (| head): stopped as SIGPIPE would
  128+n  stopped by another signal n (SIGQUIT 131, SIGUSR2 140, SIGALRM 142, …)

Examples
  $ moondev-tui --headless --once --json
  $ moondev-tui run risk --config bots/moondev.json
  $ moondev-tui status --json --config bots/moondev.json
`;
