import { describe, expect, it } from "vitest";
import { judgeStep } from "../../../src/probes/quality/ramp.js";
import { validQualityDuration } from "../../../src/config/quality-duration.js";
import { ConfigError } from "../../../src/config/errors.js";
import { DEFAULT_QUALITY_DURATION_MS } from "../../../src/config/defaults.js";
import { abandonWithoutRetransmits, openChannelType } from "../../../src/webrtc/partial-reliability.js";

const step = (sent: number, received: number, medianRttMs?: number) => ({
  targetKbps: 1000,
  sent,
  received,
  lossPercent: (100 * (sent - received)) / sent,
  ...(medianRttMs !== undefined ? { medianRttMs } : {}),
  carriedKbps: 0,
});

describe("a ramp step holds or not", () => {
  const base = { lossPercent: 0, medianRttMs: 20 };
  it("holds with the baseline's loss and round trip", () => {
    expect(judgeStep(step(20, 20, 22), base)).toEqual({ held: true });
    expect(judgeStep(step(20, 18, 22), base)).toEqual({ held: true });
  });
  it("fails on extra loss, counted against the baseline's", () => {
    expect(judgeStep(step(20, 14, 22), base)).toEqual({ held: false, limitedBy: "loss" });
    // 15% lost on a path that lost 15% anyway is the path, not the rate.
    expect(judgeStep(step(20, 17, 22), { lossPercent: 15, medianRttMs: 20 })).toEqual({ held: true });
  });
  it("fails when the round trip rises past twice the baseline and 100 ms above it", () => {
    expect(judgeStep(step(20, 20, 115), base)).toEqual({ held: true });
    expect(judgeStep(step(20, 20, 121), base)).toEqual({ held: false, limitedBy: "rtt" });
    expect(judgeStep(step(20, 20, 250), { lossPercent: 0, medianRttMs: 240 })).toEqual({ held: true });
  });
  it("blames this machine, not the path, when its event loop was held up for a third of the rise", () => {
    expect(judgeStep({ ...step(20, 20, 140), loopDelayMs: 40 }, base)).toEqual({ held: false, limitedBy: "cpu" });
    expect(judgeStep({ ...step(20, 20, 140), loopDelayMs: 30 }, base)).toEqual({ held: false, limitedBy: "rtt" });
    expect(judgeStep({ ...step(20, 20, 120), loopDelayMs: 8 }, { lossPercent: 0, medianRttMs: 5 })).toEqual({ held: false, limitedBy: "rtt" });
  });
});

describe("the qualityDurationMs option", () => {
  it("defaults, takes 0 to skip, and refuses what is not whole milliseconds", () => {
    expect(validQualityDuration(undefined)).toBe(DEFAULT_QUALITY_DURATION_MS);
    expect(validQualityDuration(0)).toBe(0);
    expect(validQualityDuration(5000)).toBe(5000);
    for (const bad of [-1, 1.5, 60_001, Number.NaN]) expect(() => validQualityDuration(bad)).toThrow(ConfigError);
    expect(() => validQualityDuration(-1)).toThrow(/`qualityDurationMs` must be a whole number of milliseconds from 0 \(skip\) to 60000/);
  });
});

describe("werift's partial reliability, set right", () => {
  it("abandons a chunk with maxRetransmits 0 once it was sent", () => {
    const seen: unknown[] = [];
    const proto = {
      // werift's own test (sctp.js maybeAbandon), which treats 0 as no limit.
      maybeAbandon(chunk: { maxRetransmits?: number; sentCount?: number }) {
        seen.push(chunk.maxRetransmits);
        return !!chunk.maxRetransmits && chunk.maxRetransmits < (chunk.sentCount ?? 0);
      },
    };
    expect(proto.maybeAbandon({ maxRetransmits: 0, sentCount: 1 })).toBe(false);
    abandonWithoutRetransmits(proto);
    expect(proto.maybeAbandon({ maxRetransmits: 0, sentCount: 1 })).toBe(true);
    expect(proto.maybeAbandon({ maxRetransmits: 3, sentCount: 1 })).toBe(false);
    expect(proto.maybeAbandon({ sentCount: 5 })).toBe(false);
  });

  it("keeps the unordered bit in a partially reliable channel's OPEN (RFC 8832: 0x81)", () => {
    expect(openChannelType(0x01, { ordered: false, maxRetransmits: 0, maxPacketLifeTime: null })).toBe(0x81);
    expect(openChannelType(0x02, { ordered: false, maxRetransmits: null, maxPacketLifeTime: 100 })).toBe(0x82);
    expect(openChannelType(0x01, { ordered: true, maxRetransmits: 0, maxPacketLifeTime: null })).toBe(0x01);
    expect(openChannelType(0x80, { ordered: false, maxRetransmits: null, maxPacketLifeTime: null })).toBe(0x80);
  });
});

describe("a second INIT-ACK in werift's COOKIE_WAIT", () => {
  it("restarts T1 instead of throwing inside the packet handler", async () => {
    const { restartT1Instead } = await import("../../../src/webrtc/sctp-duplicate-init-ack.js");
    class Sctp {
      timer1Handle?: NodeJS.Timeout;
      timer1Chunk?: unknown;
      // werift 0.24's own (sctp.js timer1Start / timer1Cancel), in short.
      timer1Start(chunk: unknown) {
        if (this.timer1Handle) throw new Error();
        this.timer1Chunk = chunk;
        this.timer1Handle = setTimeout(() => undefined, 1000);
      }
      timer1Cancel() {
        clearTimeout(this.timer1Handle);
        this.timer1Handle = undefined;
      }
    }
    const before = new Sctp();
    before.timer1Start("echo 1");
    expect(() => before.timer1Start("echo 2")).toThrow();
    before.timer1Cancel();
    restartT1Instead(Sctp.prototype as never);
    const after = new Sctp();
    after.timer1Start("echo 1");
    expect(() => after.timer1Start("echo 2")).not.toThrow();
    expect(after.timer1Chunk).toBe("echo 2");
    after.timer1Cancel();
  });
});
