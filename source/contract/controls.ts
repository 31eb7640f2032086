/** What the user can do to a running engine (the TUI's keys, the headless signals). */
export type EngineControls = {
	/** Lets the running cycle finish and starts no new one until resumed. */
	readonly pause: () => void;
	readonly resume: () => void;
	/** Runs a cycle now; during a cycle, another right after it. Also while paused. */
	readonly forceCycle: () => void;
	/**
	Takes effect for every phase that has not started yet. `confirmed`: a person said yes to turning
	off a critical agent (an engine across the control socket asks for it; one in this process
	trusts its own screen, which asked).
	*/
	readonly setEnabled: (
		agent: string,
		enabled: boolean,
		options?: {readonly confirmed?: boolean},
	) => void;
	/** Cancels the agent's running attempt (and its retries); false if it is not running. */
	readonly cancelAgent: (agent: string) => boolean;
	/** Kills every running agent's group, lets the cycle end, and ends `run`. */
	readonly stop: () => Promise<void>;
};
