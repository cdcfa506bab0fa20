/**
 * Ctrl-C aborts the run: check() then returns the facts gathered so far and the CLI prints that
 * partial report with exit code 130. A second Ctrl-C leaves at once, for a run that does not stop.
 */
export function abortOnSigint(onForcedExit: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) onForcedExit();
    else controller.abort();
  };
  process.on("SIGINT", handler);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", handler) };
}
