import { describe, expect, it } from "vitest";
import { browserLikeDtls, holdEarlyDtls } from "../../../src/webrtc/browser-like-dtls.js";
import type { PeerConnection } from "../../../src/webrtc/types.js";

/** werift's Event as far as the hold uses it. */
function event() {
  const listeners = new Set<(data: Buffer) => void>();
  return {
    subscribe(listener: (data: Buffer) => void) {
      listeners.add(listener);
      return { unSubscribe: () => void listeners.delete(listener) };
    },
    emit: (data: Buffer) => listeners.forEach((l) => l(data)),
    get size() {
      return listeners.size;
    },
  };
}

/** A DTLS record: a ClientHello (message_seq 0) in a record of its own. */
function clientHello(): Buffer {
  const body = Buffer.alloc(12 + 4);
  body[0] = 1;
  body.writeUIntBE(4, 1, 3);
  body.writeUIntBE(4, 9, 3);
  const header = Buffer.from([22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt16BE(body.length, 11);
  return Buffer.concat([header, body]);
}

describe("browserLikeDtls with holdEarlyDtls: a datagram that came before werift's DTLS socket reaches it", () => {
  it("keeps what the ICE connection received before start and replays it into the new socket, in order", () => {
    const onData = event();
    const received: Buffer[] = [];
    class Transport {
      iceTransport = { connection: { onData } };
      dtls?: unknown;
      async start(): Promise<void> {
        this.dtls = { sessionType: 2, udpOnMessage: (d: Buffer) => void received.push(d), transport: { socket: { onData: () => undefined }, send: async () => undefined } };
      }
    }
    browserLikeDtls(Transport);
    const transport = new Transport();
    holdEarlyDtls({ dtlsTransports: [transport] } as unknown as PeerConnection);
    const early = clientHello();
    onData.emit(early);
    onData.emit(Buffer.from([0x00, 0x01])); // a STUN message: not DTLS, not kept
    void transport.start();
    expect(received.map((d) => d.equals(early))).toEqual([true]);
    // The hold stepped aside: later datagrams are werift's own ICE transport's business.
    expect(onData.size).toBe(0);
  });

  it("leaves a peer without transports, or one whose socket exists already, alone", () => {
    expect(() => holdEarlyDtls({} as unknown as PeerConnection)).not.toThrow();
    const onData = event();
    holdEarlyDtls({ dtlsTransports: [{ dtls: {}, iceTransport: { connection: { onData } } }] } as unknown as PeerConnection);
    expect(onData.size).toBe(0);
  });
});
