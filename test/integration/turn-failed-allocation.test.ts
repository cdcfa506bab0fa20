import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classes, decode, Message } from "../../src/stun/message.js";
import { bounded } from "../../src/webrtc/bounded.js";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";

const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;

// werift opens a socket for each TURN client and, when Allocate fails, forgets it: a UDP socket on
// 0.0.0.0 that kept the process alive after check() returned (seen under load with 50 TURN URLs).
describe("a TURN server that refuses the allocation", () => {
  const server = createSocket("udp4");
  let port = 0;
  beforeAll(async () => {
    server.on("message", (data, rinfo) => {
      const request = decode(data);
      if (!request) return;
      const refusal = new Message(request.messageMethod, classes.ERROR, request.transactionId).setAttribute("ERROR-CODE", [508, "Insufficient Capacity"]);
      server.send(refusal.bytes, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
    port = server.address().port;
  });
  afterAll(() => server.close());

  it("leaves no socket of werift's open once the peer is closed", async () => {
    const before = udpSockets();
    const peer = await createPeer({ iceServers: [{ urls: [`turn:127.0.0.1:${port}?transport=udp`], username: "u", credential: "p" }], relayOnly: true });
    peer.pc.createDataChannel("x");
    peer.prepareGathering();
    // werift gives up on UDP at the refusal, tries TCP on the same port (refused: nothing listens) and ends gathering.
    expect(await bounded(peer.pc.setLocalDescription(await peer.pc.createOffer()), 20_000)).toBe(true);
    expect(peer.pc.localDescription?.sdp).not.toMatch(/typ relay/);
    await closePeer(peer.pc);
    expect(udpSockets()).toBe(before);
  });
});
