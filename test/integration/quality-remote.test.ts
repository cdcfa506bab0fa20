import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRemote } from "../../src/probes/connect/remote.js";
import { startWrtcFarEnd, type WrtcFarEnd } from "../helpers/wrtc-far-end.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";
import { runRules } from "../../src/rules/engine.js";
import { rules } from "../../src/rules/index.js";
import { healthyFacts } from "../helpers/facts.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 8000, connectTimeoutMs: 10_000, echoCount: 5, iceServers: [], qualityDurationMs: 1000 };

describe("the quality of the path to a remote far end", () => {
  let serve: ServeProcess | undefined;
  let wrtc: WrtcFarEnd | undefined;
  beforeAll(async () => {
    serve = await startServeProcess(["--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--stun-alt-port", "0"]);
    wrtc = await startWrtcFarEnd();
  }, 30_000);
  afterAll(async () => {
    await serve?.stop();
    await wrtc?.close();
  });

  it("serve echoes the flood's channel: measured", async () => {
    const url = serve!.whipCommand[serve!.whipCommand.indexOf("--signal") + 1]!;
    const fact = await connectRemote({ ...BASE, url, protocol: "whip" });
    expect(fact.ok, JSON.stringify(fact.error)).toBe(true);
    expect(fact.quality, JSON.stringify(fact.quality)).toMatchObject({ measured: true, packetsSent: 25 });
    expect(fact.quality!.packetsReceived).toBeGreaterThan(0);
    expect(fact.quality!.bitrate?.steps.length).toBeGreaterThan(0);
  }, 60_000);

  it("a far end that echoes only text (libwebrtc helper) leaves quality not measured, a fact and no finding", async () => {
    const fact = await connectRemote({ ...BASE, url: `${wrtc!.url}/whip`, protocol: "whip" });
    expect(fact.ok, JSON.stringify(fact.error)).toBe(true);
    expect(fact.error).toBeUndefined();
    expect(fact.quality).toMatchObject({ measured: false, notMeasured: "no-echo", packetsSent: 25, packetsReceived: 0 });
    const findings = runRules(rules, { ...healthyFacts(), connectivity: [fact] });
    expect(findings.filter((f) => f.id.startsWith("quality-") || f.id === "turn-bitrate-cap")).toEqual([]);
  }, 60_000);
});
