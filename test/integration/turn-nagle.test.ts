import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";
import { bounded } from "../../src/webrtc/bounded.js";
import { startCoturn, type Coturn } from "../helpers/coturn.js";

// werift opens TURN/TCP and TURN/TLS sockets with Nagle on; the adapter switches it off once
// gathering has created them. This reaches into werift's internals, so it is checked against the
// real werift and a real coturn: if werift moves its sockets, this fails instead of going slow.
describe("TURN over TCP/TLS without Nagle", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: true });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  for (const transport of ["tcp", "tls"] as const) {
    it(`sets TCP_NODELAY on werift's TURN/${transport.toUpperCase()} socket after gathering`, async () => {
      const url = transport === "tcp" ? `turn:127.0.0.1:${coturn.port}?transport=tcp` : `turns:localhost:${coturn.tlsPort}?transport=tcp`;
      const peer = await createPeer({ iceServers: [{ urls: [url], username: coturn.user, credential: coturn.password }], relayOnly: true, tlsCa: coturn.caPem });
      const calls: boolean[] = [];
      const original = Socket.prototype.setNoDelay;
      try {
        peer.pc.createDataChannel("x");
        peer.prepareGathering();
        expect(await bounded(peer.pc.setLocalDescription(await peer.pc.createOffer()), 5000)).toBe(true);
        Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
          calls.push(noDelay === true);
          return original.call(this, noDelay);
        };
        peer.gathered();
      } finally {
        Socket.prototype.setNoDelay = original;
        await closePeer(peer.pc);
      }
      expect(calls).toEqual([true]);
    });
  }
});
