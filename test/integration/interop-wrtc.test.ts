import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectRemote } from "../../src/probes/connect/remote.js";
import { startWrtcFarEnd, type WrtcFarEnd } from "../helpers/wrtc-far-end.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 8000, connectTimeoutMs: 10_000, echoCount: 5, iceServers: [] };

describe("interoperability: rtc-doctor (werift) against libwebrtc (@roamhq/wrtc) as the far peer", () => {
  let far: WrtcFarEnd;
  beforeAll(async () => {
    far = await startWrtcFarEnd();
  });
  afterAll(async () => {
    await far?.close();
  });

  test.each([
    ["whip", "/whip", false],
    ["pipecat", "/api/offer", false],
    ["whip", "/whip", true],
  ] as const)("%s at %s (trickle %s): ICE, DTLS, data channel and echo complete", async (protocol, path, trickle) => {
    const fact = await connectRemote({ ...BASE, trickle, url: `${far.url}${path}`, protocol: trickle ? "auto" : protocol });
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact).toMatchObject({ mode: "remote", ok: true, dtlsState: "connected", echo: { sent: 5, received: 5 } });
    expect(fact.signalling?.protocol).toBe(protocol);
    // libwebrtc's answer: its own candidates, analysed like any far side's.
    expect(fact.signalling?.answer?.candidates.length).toBeGreaterThan(0);
    expect(fact.signalling?.answer?.counts.host).toBeGreaterThan(0);
    expect(fact.pairs.filter((p) => p.selected)).toHaveLength(1);
    if (protocol === "whip") expect(fact.signalling?.sessionDeleted).toBe(true);
    // This far end does not take trickled candidates (404 on PATCH): the offer had none, yet ICE
    // connects, because our checks reach its host candidates and it learns us as peer-reflexive.
    if (trickle) {
      expect(fact.signalling?.offerCandidates).toBe(0);
      expect(fact.signalling?.exchanges.filter((e) => e.step === "trickle").map((e) => e.status)).toContain(404);
    }
  });
});
