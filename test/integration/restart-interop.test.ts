import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { connectRemote } from "../../src/probes/connect/remote.js";
import { aiortcMissing, startAiortcFarEnd, type AiortcFarEnd } from "../helpers/aiortc-far-end.js";
import { startWrtcFarEnd, type WrtcFarEnd } from "../helpers/wrtc-far-end.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 8000, connectTimeoutMs: 10_000, echoCount: 3, iceServers: [], restart: true };

function expectRecovered(fact: ConnectivityFact): void {
  expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
  expect(fact.ok).toBe(true);
  expect(fact.restart?.refusal, JSON.stringify(fact.restart?.refusal)).toBeUndefined();
  expect(fact.restart).toMatchObject({ accepted: true, reconnected: true, newRemoteUfrag: true, echo: { sent: 3, received: 3 } });
}

describe("ICE restart against libwebrtc (@roamhq/wrtc) as a WHIP endpoint", () => {
  let far: WrtcFarEnd;
  beforeAll(async () => {
    far = await startWrtcFarEnd();
  });
  afterAll(async () => {
    await far?.close();
  });

  test("PATCH with If-Match \"*\": libwebrtc restarts its ICE agent, the same DTLS session and data channel echo again", async () => {
    const fact = await connectRemote({ ...BASE, url: `${far.url}/whip`, protocol: "whip" });
    expectRecovered(fact);
    expect(fact.restart).toMatchObject({ requestedBy: "whip-patch", status: 200 });
    expect(fact.restart?.newPeer).toBeUndefined();
  });

  test("its Pipecat-style /api/offer knows no restart_pc: the answer comes under a new pc_id, named as a new session", async () => {
    const fact = await connectRemote({ ...BASE, url: `${far.url}/api/offer`, protocol: "pipecat" });
    expectRecovered(fact);
    expect(fact.restart).toMatchObject({ requestedBy: "pipecat-restart-pc", newSession: true });
  });
});

describe("ICE restart against aiortc (python3-aiortc) as a Pipecat SmallWebRTC server", () => {
  const missing = aiortcMissing();
  let far: AiortcFarEnd | undefined;
  beforeAll(async () => {
    if (!missing) far = await startAiortcFarEnd();
  });
  afterAll(async () => {
    await far?.stop();
  });

  test("restart_pc: true with the session's pc_id: a new aiortc peer (new certificate) answers, and rtc-doctor's new peer echoes", async () => {
    // Debian's python3-aiortc is installed by scripts/test.sh; a machine without it must fail, not skip.
    expect(missing).toBeUndefined();
    const fact = await connectRemote({ ...BASE, url: `http://127.0.0.1:${far?.port ?? 0}/api/offer`, protocol: "pipecat" });
    expectRecovered(fact);
    expect(fact.restart).toMatchObject({ requestedBy: "pipecat-restart-pc", status: 200, newPeer: true });
    // Pipecat keeps the session: the same pc_id.
    expect(fact.restart?.newSession).toBeUndefined();
    expect(far?.stderr()).toMatch(/restart_pc: closed the old peer/);
  });
});
