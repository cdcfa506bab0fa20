import type { ConnectivityFact } from "../../facts/connectivity.js";
import type { LimitFunction } from "p-limit";
import { connectLoopback, type LoopbackOptions, type LoopbackPath } from "./loopback.js";

/** Every path, at most `limit` attempts at a time; facts in path order. */
export function connectLoopbackPaths(
  paths: readonly LoopbackPath[],
  options: (path: LoopbackPath) => LoopbackOptions,
  limit: LimitFunction,
  onAttempt?: (fact: ConnectivityFact) => void,
): Promise<ConnectivityFact[]> {
  return Promise.all(
    paths.map((path) =>
      limit(async () => {
        const fact = await connectLoopback(path, options(path));
        onAttempt?.(fact);
        return fact;
      }),
    ),
  );
}
