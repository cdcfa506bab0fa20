import { describe, expect, it } from "vitest";
import { browserInitialRto, browserSctpTimers, INITIAL_RTO_SECONDS } from "../../../src/webrtc/sctp-timers.js";

describe("browserSctpTimers: werift's association starts with a browser's T1", () => {
  it("sets the initial RTO before start sends the INIT, once per class", async () => {
    const seen: number[] = [];
    class Transport {
      sctp = { rto: 3, started: false };
      async start(): Promise<void> {
        seen.push(this.sctp.rto);
        this.sctp.started = true;
      }
    }
    browserSctpTimers(Transport);
    browserSctpTimers(Transport);
    await new Transport().start();
    expect(seen).toEqual([INITIAL_RTO_SECONDS]);
  });

  it("leaves an association alone that started already or whose RTO was measured or set", () => {
    const started = { rto: 3, started: true };
    const measured = { rto: 1.7, started: false };
    browserInitialRto(started);
    browserInitialRto(measured);
    browserInitialRto(undefined);
    expect([started.rto, measured.rto]).toEqual([3, 1.7]);
  });

  it("leaves a werift without the class alone", () => {
    expect(() => browserSctpTimers(undefined)).not.toThrow();
  });
});
