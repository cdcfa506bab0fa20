import { afterAll, describe, expect, it } from "vitest";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";
import { bounded } from "../../src/webrtc/bounded.js";
import { startCoturn, type Coturn } from "../helpers/coturn.js";

// werift reconnects to a TURN/TCP server that closed the connection and leaves the attempt's
// rejection unhandled, which ends the whole process when the server is gone. The adapter listens
// for every such attempt. Built for real: coturn stops under a gathered peer.
describe("a TURN/TCP server that goes away under a werift peer", () => {
  let coturn: Coturn | undefined;
  afterAll(async () => {
    await coturn?.stop();
  });

  it("ends in no unhandled rejection", async () => {
    coturn = await startCoturn({ tls: false });
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    const peer = await createPeer({ iceServers: [{ urls: [`turn:127.0.0.1:${coturn.port}?transport=tcp`], username: coturn.user, credential: coturn.password }], relayOnly: true });
    try {
      peer.pc.createDataChannel("x");
      peer.prepareGathering();
      expect(await bounded(peer.pc.setLocalDescription(await peer.pc.createOffer()), 5000)).toBe(true);
      peer.gathered();
      const stream = (peer.pc as unknown as { iceTransports: { connection: { protocols: { turn?: { transport: { stream: { client: NodeJS.EventEmitter } } } }[] } }[] }).iceTransports[0]!.connection.protocols[0]!.turn!.transport.stream;
      const first = stream.client;
      await coturn.stop();
      coturn = undefined;
      // A server that ends the connection cleanly (FIN: coturn does on some shutdowns and after idle
      // allocations) makes werift reconnect at once; with the server gone, that attempt is refused.
      first.emit("end");
      expect(stream.client).not.toBe(first);
      // Watched through the socket, not the promise: a handler on the promise would hide the bug.
      const second = stream.client;
      const refused = await bounded(new Promise<void>((resolve) => second.once("error", () => resolve())), 5000);
      expect(refused).toBe(true);
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await closePeer(peer.pc);
      process.off("unhandledRejection", record);
    }
    expect(unhandled).toEqual([]);
  });
});
