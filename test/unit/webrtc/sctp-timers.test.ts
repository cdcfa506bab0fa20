import { afterEach, describe, expect, it, vi } from "vitest";
import { browserInitialRto, browserSctpTimers, EARLY_INIT_RESEND_MS, INITIAL_RTO_SECONDS, resendEarlyInit } from "../../../src/webrtc/sctp-timers.js";

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

describe("resendEarlyInit: the INIT once more, for a far end that dropped the one that overtook our Finished", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function association(state: number, isServer = false) {
    const init = { type: "INIT" };
    const sent: unknown[] = [];
    return { sent, init, sctp: { isServer, associationState: state, timer1Chunk: init as unknown, isStopped: false, sendChunk: async (chunk: unknown) => void sent.push(chunk) } };
  }

  it("sends the same INIT again while the association still waits for the INIT-ACK", () => {
    vi.useFakeTimers();
    const a = association(2);
    resendEarlyInit(a.sctp);
    vi.advanceTimersByTime(EARLY_INIT_RESEND_MS);
    expect(a.sent).toEqual([a.init]);
  });

  it("sends nothing once the INIT-ACK came, on the side that waits for the INIT, or after the association stopped", () => {
    vi.useFakeTimers();
    const acked = association(2);
    const server = association(2, true);
    const stopped = association(2);
    resendEarlyInit(acked.sctp);
    resendEarlyInit(server.sctp);
    resendEarlyInit(stopped.sctp);
    acked.sctp.associationState = 3;
    stopped.sctp.isStopped = true;
    vi.advanceTimersByTime(EARLY_INIT_RESEND_MS);
    expect([acked.sent, server.sent, stopped.sent]).toEqual([[], [], []]);
  });
});
