/** Resolves true when the work finished in time, false when the bound came first. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A call into werift that had not returned when its bound passed. */
export class StalledCallError extends Error {
  override readonly name = "StalledCallError";
  constructor(
    readonly call: string,
    readonly boundMs: number,
  ) {
    super(`werift did not finish ${call} within ${boundMs} ms`);
  }
}

/**
 * The value of a call into werift, or a StalledCallError once `ms` passed first. werift has no
 * timeouts of its own on most calls (setRemoteDescription is roughly quadratic in the candidates),
 * so every call whose duration its input controls goes through here or through `bounded`.
 */
export async function within<T>(work: Promise<T>, ms: number, call: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StalledCallError(call, ms)), ms);
  });
  // A late rejection of the abandoned call must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
