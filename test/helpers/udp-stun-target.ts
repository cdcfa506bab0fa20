import { createSocket } from "node:dgram";
import { classes, decode, Message, methods } from "../../src/stun/message.js";

export interface UdpStunTarget {
  port: number;
  /** Resolves when the first datagram arrives: the probe has started talking to us. */
  firstPacket: Promise<void>;
  stop(): Promise<void>;
}

/**
 * A STUN target on loopback for what coturn cannot be made to do: answer every Binding request only
 * after `answerAfterMs` (a path with a known minimum RTT), or never (`answerAfterMs` undefined).
 */
export async function startUdpStunTarget(options: { answerAfterMs?: number } = {}): Promise<UdpStunTarget> {
  const socket = createSocket("udp4");
  const timers = new Set<NodeJS.Timeout>();
  let arrived: () => void = () => {};
  const firstPacket = new Promise<void>((resolve) => (arrived = resolve));
  socket.on("message", (data, rinfo) => {
    arrived();
    const request = decode(data);
    if (!request || options.answerAfterMs === undefined || request.messageMethod !== methods.BINDING) return;
    const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId)
      .setAttribute("XOR-MAPPED-ADDRESS", [rinfo.address, rinfo.port])
      .addFingerprint();
    const timer = setTimeout(() => {
      timers.delete(timer);
      socket.send(response.bytes, rinfo.port, rinfo.address);
    }, options.answerAfterMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    firstPacket,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
