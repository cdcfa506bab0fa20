/**
 * At most `size` probes at once; the others wait in order. A waiter whose time runs out leaves the
 * queue and gets nothing, so a scrape is answered (as busy) before its own timeout rather than after.
 */
export class Slots {
  private free: number;
  private readonly waiters: { grant: (release: () => void) => void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** A release function once a slot is free, or undefined after `waitMs` without one or once `signal` aborts. */
  acquire(waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", leave);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      const waiter = {
        grant: (release: () => void) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", leave);
          resolve(release);
        },
      };
      const timer = setTimeout(leave, Math.max(0, waitMs));
      signal?.addEventListener("abort", leave, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant(this.releaser());
      else this.free += 1;
    };
  }
}
