/** Recent log lines kept per agent for a screen (the engine's batches, the store's ring). */
export const recentLinesCapacity = 500;
