import { describe, expect, it } from "vitest";
import { DTLS_MTU, packDatagrams, packFlights } from "../../../src/webrtc/dtls-flight-packing.js";

const bytes = (type: number, size: number) => Buffer.alloc(size, type);

describe("packDatagrams: a flight's records in as few datagrams as fit the MTU", () => {
  it("keeps the order and starts a new datagram only when the next record would not fit", () => {
    const [a, b, c, d] = [bytes(22, 500), bytes(22, 600), bytes(22, 300), bytes(20, 14)];
    expect(packDatagrams([a!, b!, c!, d!])).toEqual([[a, b], [c, d]]);
  });

  it("sends a record larger than the MTU alone", () => {
    const big = bytes(22, DTLS_MTU + 1);
    const small = bytes(22, 10);
    expect(packDatagrams([small, big, small])).toEqual([[small], [big], [small]]);
  });
});

describe("packFlights on a werift socket's transport", () => {
  function socketSendingTo(sent: Buffer[]) {
    return { transport: { send: async (data: Buffer) => void sent.push(data) } };
  }

  it("sends the handshake and ChangeCipherSpec records of one synchronous run as one datagram, each caller's promise settled", async () => {
    const sent: Buffer[] = [];
    const socket = socketSendingTo(sent);
    packFlights(socket);
    const flight = [bytes(22, 400), bytes(22, 60), bytes(22, 90), bytes(20, 14), bytes(22, 50)];
    await Promise.all(flight.map((record) => socket.transport.send(record)));
    expect(sent).toEqual([Buffer.concat(flight)]);
  });

  it("sends application data and alerts at once, not held behind a flight", async () => {
    const sent: Buffer[] = [];
    const socket = socketSendingTo(sent);
    packFlights(socket);
    const pending = [socket.transport.send(bytes(22, 40)), socket.transport.send(bytes(23, 40)), socket.transport.send(bytes(21, 2))];
    expect(sent.map((d) => d[0])).toEqual([23, 21]);
    await Promise.all(pending);
    expect(sent.map((d) => d[0])).toEqual([23, 21, 22]);
  });

  it("passes a failed send on to every caller whose records were in that datagram", async () => {
    const socket = { transport: { send: async (_: Buffer) => Promise.reject(new Error("closed")) } };
    packFlights(socket);
    const results = await Promise.allSettled([socket.transport.send(bytes(22, 10)), socket.transport.send(bytes(22, 10))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("wraps a transport once and leaves an object without one alone", async () => {
    const sent: Buffer[] = [];
    const socket = socketSendingTo(sent);
    packFlights(socket);
    packFlights(socket);
    await Promise.all([socket.transport.send(bytes(22, 10)), socket.transport.send(bytes(22, 10))]);
    expect(sent).toHaveLength(1);
    expect(() => packFlights({})).not.toThrow();
  });
});
