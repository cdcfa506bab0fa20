import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { connectRemote, type RemoteOptions } from "../../src/probes/connect/remote.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { readSdpFragment } from "../../src/signalling/sdp-fragment.js";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 5000, connectTimeoutMs: 10_000, echoCount: 3, iceServers: [], restart: true };

function expectRestarted(fact: ConnectivityFact, requestedBy: "whip-patch" | "pipecat-restart-pc"): void {
  expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
  expect(fact.ok).toBe(true);
  const restart = fact.restart;
  expect(restart, "no restart fact").toBeDefined();
  expect(restart?.refusal, JSON.stringify(restart?.refusal)).toBeUndefined();
  expect(restart?.requestedBy).toBe(requestedBy);
  expect(restart?.accepted).toBe(true);
  expect(restart?.reconnected).toBe(true);
  expect(restart?.newRemoteUfrag).toBe(true);
  expect(restart?.timeToReconnectMs).toBeGreaterThan(0);
  expect(restart?.echo).toEqual({ sent: 3, received: 3 });
}

describe("ICE restart through the signalling against rtc-doctor serve", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await serve?.close();
  });
  const run = (overrides: Partial<RemoteOptions> & Pick<RemoteOptions, "url" | "protocol">) => connectRemote({ ...BASE, ...overrides });

  test("WHIP: PATCH with If-Match \"*\" and a new ufrag/pwd, 200 with serve's own, the same DTLS session echoes again", async () => {
    const fact = await run({ url: `${serve.url}/whip`, protocol: "whip" });
    expectRestarted(fact, "whip-patch");
    expect(fact.restart?.status).toBe(200);
    expect(fact.restart?.newPeer).toBeUndefined();
    const exchanges = fact.signalling?.exchanges.map((e) => `${e.step} ${e.method} ${e.status}`);
    expect(exchanges).toEqual(["start OPTIONS 204", "offer POST 201", "restart PATCH 200", "delete DELETE 200"]);
    // The new ETag came with the restart.
    expect(fact.signalling?.exchanges[2]?.headers["etag"]).toMatch(/^"[0-9a-f]+"$/);
    expect(fact.signalling?.exchanges[2]?.headers["etag"]).not.toBe(fact.signalling?.exchanges[1]?.headers["etag"]);
    expect(serve.sessionCount()).toBe(0);
  });

  test.each([`/api/offer`, `/start`])("Pipecat (%s): the same pc_id with restart_pc: true gets a new peer, whose data channel echoes", async (path) => {
    const fact = await run({ url: `${serve.url}${path}`, protocol: "auto" });
    expectRestarted(fact, "pipecat-restart-pc");
    expect(fact.restart?.status).toBe(200);
    // serve, like Pipecat, answers restart_pc with a new peer connection; werift gives every peer of
    // a process the same certificate, so the fingerprint cannot tell (aiortc's can: see the interop test).
    expect(typeof fact.restart?.newPeer).toBe("boolean");
    expect(fact.signalling?.exchanges.filter((e) => e.step === "restart").map((e) => `${e.method} ${e.status}`)).toEqual(["POST 200"]);
  });

  test("serve's PATCH: If-Match \"*\" with a new ufrag is a restart (200, sdpfrag, new ETag); the current ufrag is a trickle; the old ETag is stale after it", async () => {
    const peer = await createPeer({ iceServers: [] });
    try {
      peer.pc.createDataChannel("x");
      peer.prepareGathering();
      await peer.pc.setLocalDescription(await peer.pc.createOffer());
      const offer = peer.pc.localDescription?.sdp ?? "";
      const created = await fetch(`${serve.url}/whip`, { method: "POST", headers: { "content-type": "application/sdp" }, body: offer });
      expect(created.status).toBe(201);
      const session = new URL(created.headers.get("location") ?? "", serve.url).toString();
      const etag = created.headers.get("etag") ?? "";
      // A live call first: restarts come after a connection.
      const connected = new Promise<void>((resolve) => peer.pc.iceConnectionStateChange.subscribe((s) => s === "connected" && resolve()));
      await peer.pc.setRemoteDescription({ type: "answer", sdp: await created.text() });
      await connected;
      const ufrag = /a=ice-ufrag:(\S+)/.exec(offer)?.[1] ?? "";
      const patch = (ifMatch: string, fragment: string) =>
        fetch(session, { method: "PATCH", headers: { "content-type": "application/trickle-ice-sdpfrag", "if-match": ifMatch }, body: fragment });
      const frag = (u: string) => `a=ice-ufrag:${u}\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n`;

      expect((await patch("*", frag(ufrag))).status).toBe(204);
      const restarted = await patch("*", frag("nEw1"));
      expect(restarted.status).toBe(200);
      expect(restarted.headers.get("content-type")).toMatch(/application\/trickle-ice-sdpfrag/);
      const answer = readSdpFragment(await restarted.text());
      expect(answer.ufrag).toBeDefined();
      expect(answer.pwd).toBeDefined();
      expect(answer.candidates.length).toBeGreaterThan(0);
      const newTag = restarted.headers.get("etag") ?? "";
      expect(newTag).not.toBe(etag);
      expect((await patch(etag, frag("nEw1"))).status).toBe(412);
      expect((await patch(newTag, frag("nEw1"))).status).toBe(204);
      await fetch(session, { method: "DELETE" });
    } finally {
      await closePeer(peer.pc);
    }
  });

  test("Pipecat with /start and trickle: the session's PATCHes reach it under /sessions/{id}/api/offer, before and after restart_pc", async () => {
    const fact = await run({ url: `${serve.url}/start`, protocol: "auto", trickle: true });
    expectRestarted(fact, "pipecat-restart-pc");
    const trickles = fact.signalling?.exchanges.filter((e) => e.step === "trickle") ?? [];
    expect(trickles.length).toBeGreaterThan(0);
    expect(trickles.map((e) => [e.url, e.status])).toEqual(trickles.map(() => [expect.stringMatching(/\/sessions\/[0-9a-f]+\/api\/offer$/), 200]));
    // A place nobody started is still a 404, whatever the body.
    expect((await fetch(`${serve.url}/sessions/0123456789abcdef/api/offer`, { method: "PATCH", body: "not json" })).status).toBe(404);
    expect((await fetch(`${serve.url}/sessions/0123456789abcdef/api/offer`, { method: "PATCH", body: JSON.stringify({ pc_id: "nope", candidates: [] }) })).status).toBe(404);
  });

  test("without the option there is no restart", async () => {
    const fact = await run({ url: `${serve.url}/whip`, protocol: "whip", restart: false });
    expect(fact.ok).toBe(true);
    expect(fact.restart).toBeUndefined();
    expect(fact.signalling?.exchanges.some((e) => e.step === "restart")).toBe(false);
  });
});

describe("a far end that cannot restart ICE is named", () => {
  let serve: RunningServe;
  let front: Server;
  let frontUrl = "";
  let status = 405;
  /** How the front answers a restart PATCH instead of refusing it: an empty 200, a trickle's 204, or silence. */
  let odd: "empty-200" | "204" | "silent" | undefined;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
    // In front of serve: every PATCH with If-Match "*" is refused with `status`, the rest passes.
    front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "PATCH" && req.headers["if-match"] === "*") {
          if (odd === "silent") return;
          if (odd === "empty-200") return void res.writeHead(200, { "Content-Type": "application/trickle-ice-sdpfrag" }).end();
          if (odd === "204") return void res.writeHead(204).end();
          res.writeHead(status, { "Content-Type": "text/plain", ...(status === 405 ? { Allow: "DELETE" } : {}) }).end(status === 405 ? "PATCH not supported\n" : "ICE restart not supported\n");
          return;
        }
        const upstream = new URL(req.url ?? "/", serve.url);
        void fetch(upstream, { method: req.method, headers: req.headers as Record<string, string>, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) }).then(async (r) => {
          const headers: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (k !== "content-length" && k !== "transfer-encoding" && k !== "connection") headers[k] = v;
          });
          res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const address = front.address();
    frontUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    front?.closeAllConnections();
    await new Promise<void>((resolve) => front?.close(() => resolve()));
    await serve?.close();
  });

  test.each([
    [405, "method-not-allowed"],
    [501, "not-implemented"],
    [422, "unprocessable"],
  ] as const)("WHIP PATCH answered %i: refused, named %s", async (code, name) => {
    status = code;
    const fact = await connectRemote({ ...BASE, url: `${frontUrl}/whip`, protocol: "whip" });
    expect(fact.ok).toBe(true);
    expect(fact.restart?.requestedBy).toBe("whip-patch");
    expect(fact.restart?.accepted).toBe(false);
    expect(fact.restart?.reconnected).toBe(false);
    expect(fact.restart?.status).toBe(code);
    expect(fact.restart?.refusal?.code).toBe(name);
    expect(fact.restart?.refusal?.detail).toMatch(new RegExp(`answered ${code}`));
  });

  test.each([
    ["empty-200", "bad-answer", /answered 200 without the endpoint's new ice-ufrag and ice-pwd/],
    ["204", "bad-answer", /204: taken as a trickle, not a restart/],
    ["silent", "no-response", /got no answer/],
  ] as const)("a restart PATCH answered %s is named %s, within the request bound", async (how, code, detail) => {
    odd = how;
    try {
      const fact = await connectRemote({ ...BASE, httpTimeoutMs: 2000, url: `${frontUrl}/whip`, protocol: "whip" });
      expect(fact.ok).toBe(true);
      expect(fact.restart).toMatchObject({ requestedBy: "whip-patch", accepted: false, reconnected: false, refusal: { code } });
      expect(fact.restart?.refusal?.detail).toMatch(detail);
    } finally {
      odd = undefined;
    }
  });
});
