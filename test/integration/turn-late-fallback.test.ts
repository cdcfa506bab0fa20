import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";
import { bounded } from "../../src/webrtc/bounded.js";
import { startCoturn, type Coturn } from "../helpers/coturn.js";

// A UDP TURN URL whose gathering the probe gave up on: werift goes on after the peer is closed,
// falls back to TCP (~6 s later) and adds that TURN connection to the closed peer. The adapter
// closes it on arrival, so no connection outlives the peer (and none reconnects to a server that
// has gone, which ended a full test run with an unhandled rejection).
describe("werift's late TURN/TCP fallback after the peer is closed", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, udp: false });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  it("is closed as soon as werift opens it", async () => {
    const peer = await createPeer({ iceServers: [{ urls: [`turn:127.0.0.1:${coturn.port}`], username: coturn.user, credential: coturn.password }], relayOnly: true });
    peer.pc.createDataChannel("x");
    peer.prepareGathering();
    const gathering = peer.pc.setLocalDescription(await peer.pc.createOffer());
    // Give up on gathering at once, as a probe with a short bound does.
    expect(await bounded(gathering, 50)).toBe(false);
    const original = Socket.prototype.connect;
    let lateSocket: (socket: Socket) => void = () => {};
    const opened = new Promise<Socket>((resolve) => (lateSocket = resolve));
    Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
      lateSocket(this);
      return (original as (...a: unknown[]) => Socket).apply(this, args);
    } as typeof Socket.prototype.connect;
    try {
      await closePeer(peer.pc);
      // The fallback's TCP connection, seconds later (werift's UDP attempts run out first).
      const socket = await bounded(opened, 20_000).then((ok) => (ok ? opened : undefined));
      expect(socket).toBeDefined();
      const closed = await bounded(new Promise<void>((resolve) => socket!.once("close", () => resolve())), 10_000);
      expect(closed).toBe(true);
    } finally {
      Socket.prototype.connect = original;
    }
  }, 40_000);
});
