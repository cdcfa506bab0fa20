import { describe, expect, it } from "vitest";
import { ECHO_PREFIX, measureEcho } from "../../../src/probes/connect/attempt.js";
import type { DataChannel } from "../../../src/webrtc/types.js";

/**
 * A far end that echoes what it gets, but only once `holdUntil` messages are out (or never, for the
 * sequence numbers in `drop`): one-after-another echoes would wait forever on the first.
 */
function farEnd(holdUntil: number, drop: ReadonlySet<number> = new Set()) {
  const listeners = new Set<(data: Buffer) => void>();
  const held: string[] = [];
  const channel = {
    readyState: "open",
    onMessage: {
      subscribe(listener: (data: Buffer) => void) {
        listeners.add(listener);
        return { unSubscribe: () => listeners.delete(listener) };
      },
    },
    send(text: string) {
      const seq = Number(text.slice(ECHO_PREFIX.length));
      if (!drop.has(seq)) held.push(text);
      if (seq + 1 >= holdUntil) for (const t of held.splice(0)) for (const l of [...listeners]) l(Buffer.from(t));
    },
  };
  return channel as unknown as DataChannel;
}

describe("measureEcho", () => {
  it("has every message out before the first echo is needed", async () => {
    const { sent, rtts } = await measureEcho(farEnd(5), 5, 10_000);
    expect(sent).toBe(5);
    expect(rtts).toHaveLength(5);
  });

  it("goes on past a message that is not echoed, and counts it lost", async () => {
    const { sent, rtts } = await measureEcho(farEnd(1, new Set([1])), 5, 200);
    expect(sent).toBe(5);
    expect(rtts).toHaveLength(4);
  });

  it("stops sending on a channel that closed", async () => {
    const channel = farEnd(1);
    (channel as unknown as { readyState: string }).readyState = "closed";
    expect(await measureEcho(channel, 5, 200)).toEqual({ sent: 0, rtts: [] });
  });
});
