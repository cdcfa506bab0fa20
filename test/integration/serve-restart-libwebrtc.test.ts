import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { withNewIceCredentials } from "../../src/signalling/restart.js";
import { readSdpFragment } from "../../src/signalling/sdp-fragment.js";

/**
 * serve as the far end of a libwebrtc client (@roamhq/wrtc, the stack inside Chrome) that restarts
 * ICE the way a browser app does: restartIce(), a new offer, its ufrag/pwd and candidates in a WHIP
 * PATCH with If-Match "*", serve's sdpfrag applied as the new answer. The same data channel must
 * echo again: serve's werift peer keeps DTLS and SCTP across the restart.
 */

interface Channel {
  readyState: string;
  send(data: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}
interface Peer {
  iceConnectionState: string;
  iceGatheringState: string;
  localDescription: { sdp: string } | null;
  oniceconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  createDataChannel(label: string): Channel;
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  restartIce(): void;
  close(): void;
}
const wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as { RTCPeerConnection: new (c: { iceServers: unknown[] }) => Peer };

/** Resolves when `done()` holds, checked on every event the setter hooks; rejects past the bound. */
function until(what: string, done: () => boolean, hook: (check: () => void) => void, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    const check = () => {
      if (done()) {
        clearTimeout(timer);
        resolve();
      }
    };
    hook(check);
    check();
  });
}

function echo(channel: Channel, text: string): Promise<void> {
  let back = false;
  return until(`the echo of ${text}`, () => back, (check) => {
    channel.onmessage = ({ data }) => {
      back = String(data) === text;
      check();
    };
    channel.send(text);
  });
}

async function offerGathered(pc: Peer): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  await until("libwebrtc's gathering", () => pc.iceGatheringState === "complete", (check) => (pc.onicegatheringstatechange = check));
  return pc.localDescription?.sdp ?? "";
}

describe("serve takes a libwebrtc client's ICE restart (WHIP PATCH with If-Match \"*\")", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await serve?.close();
  });

  test("the same data channel echoes before and after the restart", { timeout: 60_000 }, async () => {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    try {
      const channel = pc.createDataChannel("rtc-doctor");
      const offer = await offerGathered(pc);
      const created = await fetch(`${serve.url}/whip`, { method: "POST", headers: { "content-type": "application/sdp" }, body: offer });
      expect(created.status).toBe(201);
      const session = new URL(created.headers.get("location") ?? "", serve.url).toString();
      const answer = await created.text();
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
      await until("the data channel open", () => channel.readyState === "open", (check) => (channel.onopen = check));
      await echo(channel, "before");

      pc.restartIce();
      const restarted = await offerGathered(pc);
      const mine = readSdpFragment(restarted);
      expect(mine.ufrag).not.toBe(readSdpFragment(offer).ufrag);
      const mid = /^a=mid:(\S+)/m.exec(restarted)?.[1] ?? "0";
      const fragment = [`a=ice-ufrag:${mine.ufrag}`, `a=ice-pwd:${mine.pwd}`, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", `a=mid:${mid}`, ...mine.candidates.map((c) => `a=${c}`), "a=end-of-candidates", ""].join("\r\n");
      const patched = await fetch(session, { method: "PATCH", headers: { "content-type": "application/trickle-ice-sdpfrag", "if-match": "*" }, body: fragment });
      expect(patched.status).toBe(200);
      const theirs = readSdpFragment(await patched.text());
      let newGeneration = false;
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      expect(theirs.ufrag).not.toBe(readSdpFragment(answer).ufrag);
      await pc.setRemoteDescription({ type: "answer", sdp: withNewIceCredentials(answer, theirs.ufrag ?? "", theirs.pwd ?? "", theirs.candidates, theirs.end) });
      // libwebrtc stays "connected" through a restart (as Chrome does); the transport's stats say
      // when the new generation carries: the new local ufrag, and a selected pair that got answers.
      await until("libwebrtc's new ICE generation selected", () => newGeneration, (check) => {
        const poll = async () => {
          const stats = [...(await (pc as unknown as { getStats(): Promise<Map<string, Record<string, unknown>>> }).getStats()).values()];
          const transport = stats.find((v) => v["type"] === "transport");
          const pair = stats.find((v) => v["id"] === transport?.["selectedCandidatePairId"]);
          newGeneration = transport?.["iceLocalUsernameFragment"] === mine.ufrag && pair?.["state"] === "succeeded";
          check();
          if (!newGeneration && !stopped) timer = setTimeout(() => void poll(), 100);
        };
        void poll();
      }).finally(() => {
        stopped = true;
        clearTimeout(timer);
      });
      await echo(channel, "after");
      await fetch(session, { method: "DELETE" });
    } finally {
      pc.close();
    }
  });
});
