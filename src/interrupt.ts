import type { IceServerTarget } from "./config/types.js";
import type { ProbeError } from "./facts/common.js";
import type { ServerFact } from "./facts/servers.js";
import { pendingServerFact, probeServer, type ServerProbeOptions } from "./probes/server-probe.js";
import { probeError } from "./facts/probe-error.js";

export const INTERRUPTED: ProbeError = probeError("interrupted", "the run was interrupted before this probe finished");

/** Resolves with the work's result, or with `fallback()` as soon as the signal aborts. */
export function unlessAborted<T>(signal: AbortSignal | undefined, work: Promise<T>, fallback: () => T): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(fallback());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(fallback());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Every server probe at once, as probeServers does; on abort, the probes that finished keep their
 * facts and the others are reported as interrupted, so /servers/<index> still points at the right URL.
 */
export async function probeServersUnlessAborted(
  targets: readonly IceServerTarget[],
  options: ServerProbeOptions,
  signal: AbortSignal | undefined,
): Promise<ServerFact[]> {
  if (signal?.aborted) return targets.map((target, index) => interruptedFact(target, index));
  const done: (ServerFact | undefined)[] = targets.map(() => undefined);
  const all = Promise.all(
    targets.map((target, index) =>
      probeServer(target, index, options).then((fact) => {
        done[index] = fact;
        return fact;
      }),
    ),
  );
  return unlessAborted(signal, all, () => targets.map((target, index) => done[index] ?? interruptedFact(target, index)));
}

function interruptedFact(target: IceServerTarget, index: number): ServerFact {
  return { ...pendingServerFact(target, index), error: INTERRUPTED };
}
