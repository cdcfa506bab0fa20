/**
 * Ctrl-C (SIGINT), or a CI job being cancelled (SIGTERM), aborts the run: check() then returns the
 * facts gathered so far and the CLI prints that partial report with exit code 130. A second signal
 * leaves at once, for a run that does not stop.
 */
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export function abortOnSigint(onForcedExit: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) onForcedExit();
    else controller.abort();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

/** For the long-running commands (serve, exporter): resolves at the first SIGINT or SIGTERM. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      for (const s of SIGNALS) process.off(s, stop);
      resolve();
    };
    for (const s of SIGNALS) process.on(s, stop);
  });
}
