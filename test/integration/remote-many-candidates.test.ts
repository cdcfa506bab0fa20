import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { startFront, type Front } from "../helpers/http-front.js";
import { expectValidReport } from "../helpers/schema.js";

// A far side whose answer lists 15,000 candidates: a real answer from rtc-doctor serve's werift
// peer, with host candidates on ports nothing listens on appended by a front in between. werift's
// setRemoteDescription is roughly quadratic in what it is given (30 s for this many); rtc-doctor
// hands it the first 64 and says so, and the report stays small.
// 15,000: more would pass the 1 MiB bound on a signalling response, which is its own (tested) error.
const EXTRA = 15_000;

describe("an answer with 15,000 candidates", () => {
  let serve: RunningServe;
  let front: Front;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0, stun: { port: 0 } });
    front = await startFront({
      backend: serve.url,
      transform: (req, body) => {
        if (req.method !== "POST" || !body.startsWith("v=0")) return body;
        const eol = body.includes("\r\n") ? "\r\n" : "\n";
        const extra = Array.from({ length: EXTRA }, (_, i) => `a=candidate:x${i} 1 udp ${1000 + i} 127.0.0.1 ${20000 + (i % 40000)} typ host`).join(eol);
        // After the real candidates: the far side's own come first, as a stack lists them.
        const at = body.lastIndexOf("a=candidate:");
        const lineEnd = body.indexOf(eol, at) + eol.length;
        return body.slice(0, lineEnd) + extra + eol + body.slice(lineEnd);
      },
    });
  });
  afterAll(async () => {
    await front?.close();
    await serve?.close();
  });

  it("is capped before werift, reported with its count, and the report stays bounded", async () => {
    const stun = `stun:127.0.0.1:${serve.stun!.address.port}`;
    const report = await check({ stun: [stun], connect: false, nat: false, gather: false, remote: { url: `${front.url}/whip`, protocol: "whip" } });
    expectValidReport(report);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.error, JSON.stringify(remote?.signalling?.exchanges)).toBeUndefined();
    // All host candidates: the per-type bound (32) is the one that applies.
    expect(remote?.signalling?.answerCandidatesCapped).toMatchObject({ kept: 32 });
    expect(remote!.signalling!.answerCandidatesCapped!.received).toBeGreaterThan(EXTRA);
    expect(remote?.signalling?.answer?.counts.host).toBeGreaterThan(EXTRA);
    // The list: the kept lines, each candidate once (bundled sections repeat the real ones).
    expect(remote!.signalling!.answer!.candidates.length).toBeLessThanOrEqual(32);
    expect(remote?.remoteCandidates).toEqual(remote?.signalling?.answer?.candidates);
    // The far side's real candidates came first, so the connection still works through them.
    expect(remote?.ok).toBe(true);
    expect(report.findings.map((f) => `${f.id}/${f.message}`)).toContain("far-side-too-many-candidates/answer-capped");
    expect(JSON.stringify(report).length).toBeLessThan(500_000);
  }, 60_000);
});
