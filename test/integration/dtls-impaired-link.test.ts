import { afterEach, describe, expect, it } from "vitest";
import { bounded } from "../../src/webrtc/bounded.js";
import { echoDataChannels } from "../../src/webrtc/echo.js";
import { closePeer, createPeer, type Peer } from "../../src/webrtc/peer.js";
import { splitRecords } from "../../src/webrtc/dtls-handshake-order.js";

/**
 * Two rtc-doctor peers (werift through the adapter) on loopback, with the link between them made to
 * behave as a lossy, reordering path does to a DTLS handshake: every handshake record travels in a
 * datagram of its own (as werift 0.24 sends them), and either the records of a burst arrive in
 * reverse order or the first copy of each side's Finished is lost. A browser's DTLS completes both;
 * unwrapped werift 0.24 fails the first ("client certificate missing before certificate verify")
 * and stalls in the second (the server derives its keys again from the retransmitted flight).
 */

const CONNECT_BOUND_MS = 15_000;

interface Impairment {
  /** The records of a burst arrive in reverse order (else in the order sent). */
  reverse: boolean;
  /** Lose the first datagram that carries a peer's Finished (an encrypted handshake record). */
  loseFirstFinished: boolean;
}

interface IceConnection {
  send(data: Buffer): Promise<void>;
}

function connectionOf(peer: Peer): IceConnection {
  const transports = (peer.pc as unknown as { iceTransports: { connection: IceConnection }[] }).iceTransports;
  const connection = transports[0]?.connection;
  if (!connection) throw new Error("werift made no ICE transport");
  return connection;
}

/** Puts the impairment on everything DTLS hands one peer's ICE connection. */
function impair(connection: IceConnection, impairment: Impairment): void {
  const send = connection.send.bind(connection);
  let burst: Buffer[] = [];
  let finishedLost = false;
  connection.send = async (data: Buffer) => {
    const records = splitRecords(data);
    if (!records || !records.some((r) => r.contentType === 22 || r.contentType === 20)) return send(data);
    if (burst.length === 0) {
      setImmediate(() => {
        const records = impairment.reverse ? burst.reverse() : burst;
        burst = [];
        for (const record of records) void send(record);
      });
    }
    for (const record of records) {
      if (impairment.loseFirstFinished && !finishedLost && record.contentType === 22 && record.epoch > 0) {
        finishedLost = true;
        continue;
      }
      burst.push(Buffer.from(record.raw));
    }
  };
}

describe("DTLS over a reordering, lossy link: rtc-doctor's peers connect as a browser's would", () => {
  const peers: Peer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => closePeer(p.pc)));
  });

  async function connectImpaired(impairment: Impairment): Promise<{ open: boolean; echoed?: string }> {
    const offerer = await createPeer({ iceServers: [] });
    peers.push(offerer);
    const answerer = await createPeer({ iceServers: [] });
    peers.push(answerer);
    echoDataChannels(answerer.pc);
    const channel = offerer.pc.createDataChannel("rtc-doctor");
    offerer.prepareGathering();
    await offerer.pc.setLocalDescription(await offerer.pc.createOffer());
    await answerer.pc.setRemoteDescription(offerer.pc.localDescription!);
    answerer.prepareGathering();
    await answerer.pc.setLocalDescription(await answerer.pc.createAnswer());
    impair(connectionOf(offerer), impairment);
    impair(connectionOf(answerer), impairment);
    const opened = new Promise<void>((resolve) => channel.stateChanged.subscribe((s) => s === "open" && resolve()));
    await offerer.pc.setRemoteDescription(answerer.pc.localDescription!);
    if (!(await bounded(opened, CONNECT_BOUND_MS))) return { open: false };
    const echo = new Promise<string>((resolve) => channel.onMessage.subscribe((d) => resolve(d.toString())));
    channel.send("through the keys both sides derived");
    let echoed: string | undefined;
    await bounded(echo.then((d) => (echoed = d)), CONNECT_BOUND_MS);
    return { open: true, echoed };
  }

  it("every flight's records arrive one per datagram, in reverse order", async () => {
    const result = await connectImpaired({ reverse: true, loseFirstFinished: false });
    expect(result).toEqual({ open: true, echoed: "through the keys both sides derived" });
  }, 40_000);

  it("every flight's records arrive one per datagram, in order, but the first copy of each side's Finished is lost", async () => {
    const result = await connectImpaired({ reverse: false, loseFirstFinished: true });
    expect(result).toEqual({ open: true, echoed: "through the keys both sides derived" });
  }, 40_000);
});
