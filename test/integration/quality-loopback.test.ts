import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/index.js";
import type { Report } from "../../src/report/types.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

/** coturn's --max-bps is in bytes per second, each direction on its own: 25000 B/s is 200 kbit/s. */
const MAX_BPS = 25_000;
const CAP_KBPS = (MAX_BPS * 8) / 1000;
const QUALITY_RULES = ["quality-loss", "quality-rtt", "quality-jitter", "quality-bitrate", "turn-bitrate-cap"];

async function run(coturn: Coturn, transports: readonly ("udp" | "tcp")[]): Promise<Report> {
  return check({
    stun: [`stun:127.0.0.1:${coturn.port}`],
    turn: transports.map((t) => `turn:127.0.0.1:${coturn.port}?transport=${t}`),
    username: coturn.user,
    credential: coturn.password,
    nat: false,
    gather: false,
  });
}

describe("the quality of each loopback path against a local coturn", () => {
  let healthy: Coturn | undefined;
  let capped: Coturn | undefined;
  beforeAll(async () => {
    healthy = await startCoturn({ tls: false });
    capped = await startCoturn({ tls: false, extraArgs: [`--max-bps=${MAX_BPS}`] });
  }, 30_000);
  afterAll(async () => {
    await healthy?.stop();
    await capped?.stop();
  });

  it("measures every path that connects and gives no quality finding when nothing limits them", async () => {
    const report = await run(healthy!, ["udp", "tcp"]);
    const attempts = report.connectivity ?? [];
    expect(attempts.map((a) => [a.mode, a.ok])).toEqual([
      ["loopback-host", true],
      ["loopback-srflx", true],
      ["loopback-relay", true],
      ["loopback-relay", true],
    ]);
    for (const a of attempts) {
      const q = a.quality!;
      expect(q.measured, JSON.stringify(q)).toBe(true);
      expect(q.packetsSent).toBe(25);
      expect(q.packetsReceived).toBeLessThanOrEqual(q.packetsSent);
      expect(q.rtt!.minMs).toBeLessThanOrEqual(q.rtt!.p99Ms);
      expect(q.mos).toBeGreaterThan(4);
      expect(q.bitrate!.steps.length).toBeGreaterThan(0);
    }
    const quality = report.findings.filter((f) => QUALITY_RULES.includes(f.id));
    expect(quality.map((f) => `${f.id}: ${f.title}`), JSON.stringify(attempts.map((a) => [a.mode, a.quality?.rtt, a.quality?.bitrate]))).toEqual([]);
  }, 60_000);

  it("finds coturn's max-bps and names the rate the relay let through", async () => {
    const report = await run(capped!, ["udp"]);
    const relay = (report.connectivity ?? []).findIndex((a) => a.mode === "loopback-relay");
    const finding = report.findings.find((f) => f.id === "turn-bitrate-cap");
    expect(finding, JSON.stringify(report.connectivity?.map((a) => [a.mode, a.quality?.bitrate]))).toBeDefined();
    expect(finding!.subjects).toEqual([`/connectivity/${relay}`]);
    expect(finding!.title).toContain(`turn:127.0.0.1:${capped!.port}?transport=udp`);
    // The tolerance: coturn lets a burst through at the start of each second, so a one-second
    // measurement reads the cap within a factor of two either way.
    const carried = report.connectivity![relay]!.quality!.bitrate!.carriedKbps;
    expect(carried).toBeGreaterThan(CAP_KBPS / 2);
    expect(carried).toBeLessThan(CAP_KBPS * 2);
  }, 60_000);

  it("skips the measurement with qualityDurationMs 0", async () => {
    const report = await check({ turn: [`turn:127.0.0.1:${healthy!.port}`], username: healthy!.user, credential: healthy!.password, nat: false, gather: false, qualityDurationMs: 0 });
    expect((report.connectivity ?? []).map((a) => a.quality)).toEqual([undefined, undefined]);
  }, 60_000);

  it("floods no loopback when no path leaves the machine (STUN only): they are only ever the reference", async () => {
    const report = await check({ stun: [`stun:127.0.0.1:${healthy!.port}`], nat: false, gather: false });
    const attempts = report.connectivity ?? [];
    expect(attempts.map((a) => [a.mode, a.ok])).toEqual([
      ["loopback-host", true],
      ["loopback-srflx", true],
    ]);
    expect(attempts.map((a) => a.quality)).toEqual([undefined, undefined]);
  }, 60_000);
});
