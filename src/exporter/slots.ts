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

  /** A release function once a slot is free, or undefined after `waitMs` without one. */
  acquire(waitMs: number): Promise<(() => void) | undefined> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const waiter = {
        grant: (release: () => void) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      }, Math.max(0, waitMs));
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
