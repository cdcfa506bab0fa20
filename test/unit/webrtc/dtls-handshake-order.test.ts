import { describe, expect, it } from "vitest";
import { HandshakeOrder, orderHandshakes, splitRecords, type DtlsRole } from "../../../src/webrtc/dtls-handshake-order.js";

// DTLS 1.2 records built per RFC 6347 4.1 and 4.2.2: content type, version {254, 253}, epoch,
// 48-bit record sequence, length; a handshake body is msg_type, length, message_seq,
// fragment_offset, fragment_length, fragment.
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const HELLO_VERIFY_REQUEST = 3;
const CERTIFICATE = 11;
const SERVER_KEY_EXCHANGE = 12;
const CERTIFICATE_REQUEST = 13;
const SERVER_HELLO_DONE = 14;
const CERTIFICATE_VERIFY = 15;
const CLIENT_KEY_EXCHANGE = 16;
const FINISHED = "finished";

function record(contentType: number, epoch: number, body: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header[0] = contentType;
  header[1] = 254;
  header[2] = 253;
  header.writeUInt16BE(epoch, 3);
  header.writeUInt16BE(body.length, 11);
  return Buffer.concat([header, body]);
}

function fragment(msgType: number, seq: number, message: Buffer, offset = 0, length = message.length - offset): Buffer {
  const header = Buffer.alloc(12);
  header[0] = msgType;
  header.writeUIntBE(message.length, 1, 3);
  header.writeUInt16BE(seq, 4);
  header.writeUIntBE(offset, 6, 3);
  header.writeUIntBE(length, 9, 3);
  return Buffer.concat([header, message.subarray(offset, offset + length)]);
}

/** A whole handshake message in a record of its own; its body says which message it is. */
const handshake = (msgType: number, seq: number, size = 8) => record(22, 0, fragment(msgType, seq, Buffer.alloc(size, msgType)));
/** The peer's Finished: encrypted, so only the epoch says what it is. */
const finished = () => record(22, 1, Buffer.alloc(40, 0xee));
const changeCipherSpec = () => record(20, 0, Buffer.from([1]));
const applicationData = () => record(23, 1, Buffer.alloc(30, 0xab));

/** What werift's socket was handed, as handshake message types (FINISHED for an epoch-1 handshake). */
function run(role: DtlsRole, datagrams: Buffer[]): { seen: (number | string)[]; delivered: Buffer[] } {
  const delivered: Buffer[] = [];
  const order = new HandshakeOrder(role, (data) => delivered.push(data));
  for (const datagram of datagrams) order.receive(datagram);
  const seen = delivered.flatMap((d) =>
    (splitRecords(d) ?? []).flatMap((r) => (r.contentType === 22 ? [r.epoch > 0 ? FINISHED : r.body[0]!] : r.contentType === 20 ? ["ccs"] : ["data"])),
  );
  return { seen, delivered };
}

describe("HandshakeOrder at the DTLS server: the client's flights", () => {
  const hello = [handshake(CLIENT_HELLO, 0), handshake(CLIENT_HELLO, 1)];

  it("hands on flight 5 in message_seq order, the Finished after the CertificateVerify, whatever order it came in", () => {
    const { seen } = run("server", [
      ...hello,
      finished(),
      handshake(CERTIFICATE_VERIFY, 4),
      changeCipherSpec(),
      handshake(CLIENT_KEY_EXCHANGE, 3),
      handshake(CERTIFICATE, 2),
    ]);
    expect(seen).toEqual([CLIENT_HELLO, CLIENT_HELLO, "ccs", CERTIFICATE, CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, FINISHED]);
  });

  it("hands on a retransmitted flight 5 only as its Finished, which makes werift resend its own lost Finished", () => {
    const flight5 = [handshake(CERTIFICATE, 2), handshake(CLIENT_KEY_EXCHANGE, 3), handshake(CERTIFICATE_VERIFY, 4), changeCipherSpec(), finished()];
    const { seen } = run("server", [...hello, ...flight5, ...flight5]);
    expect(seen).toEqual([CLIENT_HELLO, CLIENT_HELLO, CERTIFICATE, CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, "ccs", FINISHED, "ccs", FINISHED]);
  });

  it("holds a Finished whose CertificateVerify was lost until the retransmission brings it", () => {
    const { seen } = run("server", [
      ...hello,
      handshake(CERTIFICATE, 2),
      handshake(CLIENT_KEY_EXCHANGE, 3),
      finished(),
      handshake(CERTIFICATE, 2),
      handshake(CLIENT_KEY_EXCHANGE, 3),
      handshake(CERTIFICATE_VERIFY, 4),
    ]);
    expect(seen).toEqual([CLIENT_HELLO, CLIENT_HELLO, CERTIFICATE, CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, FINISHED]);
  });

  it("passes a copy of the latest ClientHello (werift answers it with its flight again) but not an older one", () => {
    const { seen } = run("server", [handshake(CLIENT_HELLO, 0), handshake(CLIENT_HELLO, 0), handshake(CLIENT_HELLO, 1), handshake(CLIENT_HELLO, 1), handshake(CLIENT_HELLO, 0)]);
    expect(seen).toEqual([CLIENT_HELLO, CLIENT_HELLO, CLIENT_HELLO, CLIENT_HELLO]);
  });

  it("puts a copy of a fragmented ClientHello together again before handing it on (a browser's with a post-quantum key share)", () => {
    const hello = Buffer.from(Array.from({ length: 1400 }, (_, i) => i % 253));
    const parts = [record(22, 0, fragment(CLIENT_HELLO, 0, hello, 0, 900)), record(22, 0, fragment(CLIENT_HELLO, 0, hello, 900, 500))];
    const { delivered } = run("server", [...parts, parts[0]!, parts[0]!, parts[1]!]);
    expect(delivered).toHaveLength(2);
    for (const d of delivered) expect(splitRecords(d)![0]!.body.subarray(12).equals(hello)).toBe(true);
  });

  it("never hands on a ClientHello once the handshake is done (werift would restart it)", () => {
    const { seen } = run("server", [...hello, handshake(CERTIFICATE, 2), handshake(CLIENT_KEY_EXCHANGE, 3), handshake(CERTIFICATE_VERIFY, 4), finished(), handshake(CLIENT_HELLO, 1), handshake(CLIENT_HELLO, 0)]);
    expect(seen.filter((t) => t === CLIENT_HELLO)).toHaveLength(2);
  });

  it("splits a datagram of several records and orders the messages inside it", () => {
    const datagram = Buffer.concat([handshake(CERTIFICATE_VERIFY, 4), handshake(CERTIFICATE, 2), handshake(CLIENT_KEY_EXCHANGE, 3), changeCipherSpec(), finished()]);
    const { seen } = run("server", [...hello, datagram]);
    expect(seen).toEqual([CLIENT_HELLO, CLIENT_HELLO, CERTIFICATE, CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, "ccs", FINISHED]);
  });
});

describe("HandshakeOrder at the DTLS client: the server's flights", () => {
  const flight4 = (seq = 1) => [
    handshake(SERVER_HELLO, seq),
    handshake(CERTIFICATE, seq + 1),
    handshake(SERVER_KEY_EXCHANGE, seq + 2),
    handshake(CERTIFICATE_REQUEST, seq + 3),
    handshake(SERVER_HELLO_DONE, seq + 4, 0),
  ];

  it("drops a second HelloVerifyRequest (werift's client throws on it)", () => {
    const { seen } = run("client", [handshake(HELLO_VERIFY_REQUEST, 0), handshake(HELLO_VERIFY_REQUEST, 0), ...flight4()]);
    expect(seen).toEqual([HELLO_VERIFY_REQUEST, SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST, SERVER_HELLO_DONE]);
  });

  it("hands on the CertificateRequest before a ServerHelloDone that overtook it", () => {
    const [hello, certificate, keyExchange, request, done] = flight4();
    const { seen } = run("client", [handshake(HELLO_VERIFY_REQUEST, 0), done!, keyExchange!, hello!, request!, certificate!]);
    expect(seen).toEqual([HELLO_VERIFY_REQUEST, SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST, SERVER_HELLO_DONE]);
  });

  it("passes a retransmitted ServerHelloDone (werift resends flight 5) until the server's Finished arrived", () => {
    const { seen } = run("client", [handshake(HELLO_VERIFY_REQUEST, 0), ...flight4(), ...flight4(), finished(), ...flight4()]);
    expect(seen).toEqual([HELLO_VERIFY_REQUEST, SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST, SERVER_HELLO_DONE, SERVER_HELLO_DONE, FINISHED]);
  });

  it("takes a server that sends no HelloVerifyRequest (a browser's), starting at message_seq 0", () => {
    const { seen } = run("client", flight4(0).reverse());
    expect(seen).toEqual([SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST, SERVER_HELLO_DONE]);
  });

  it("reassembles a fragmented message, fragments in any order and overlapping, into one whole record", () => {
    const certificate = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const parts = [
      record(22, 0, fragment(CERTIFICATE, 1, certificate, 2000, 1000)),
      record(22, 0, fragment(CERTIFICATE, 1, certificate, 0, 1200)),
      record(22, 0, fragment(CERTIFICATE, 1, certificate, 1000, 1100)),
    ];
    const { delivered } = run("client", [handshake(SERVER_HELLO, 0), ...parts]);
    expect(delivered).toHaveLength(2);
    const [whole] = splitRecords(delivered[1]!)!;
    expect(whole!.body.readUIntBE(6, 3)).toBe(0); // fragment_offset
    expect(whole!.body.readUIntBE(9, 3)).toBe(3000); // fragment_length
    expect(whole!.body.subarray(12).equals(certificate)).toBe(true);
  });
});

describe("HandshakeOrder leaves everything else as it came", () => {
  it("passes a datagram without handshake records unchanged, as the same buffer", () => {
    const datagram = Buffer.concat([applicationData(), applicationData()]);
    const { delivered } = run("server", [datagram]);
    expect(delivered).toEqual([datagram]);
    expect(delivered[0]).toBe(datagram);
  });

  it("passes a truncated or malformed datagram unchanged, for werift to judge", () => {
    const truncated = handshake(CLIENT_HELLO, 0).subarray(0, 20);
    const badFragment = record(22, 0, Buffer.from([1, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9]));
    const { delivered } = run("server", [truncated, badFragment]);
    expect(delivered).toEqual([truncated, badFragment]);
  });

  it("drops a message far beyond the next one expected instead of holding it", () => {
    const { seen } = run("server", [handshake(CLIENT_HELLO, 40), handshake(CLIENT_HELLO, 0)]);
    expect(seen).toEqual([CLIENT_HELLO]);
  });
});

describe("orderHandshakes on a werift socket", () => {
  it("takes over the socket's receive path once, and leaves an object that is not a socket alone", () => {
    const got: Buffer[] = [];
    const socket = { sessionType: 2, udpOnMessage: (d: Buffer) => void got.push(d), transport: { socket: { onData: (_: Buffer) => undefined } } };
    orderHandshakes(socket);
    orderHandshakes(socket);
    socket.transport.socket.onData(handshake(CLIENT_HELLO, 1));
    socket.transport.socket.onData(handshake(CLIENT_HELLO, 0));
    expect(got.map((d) => d.readUInt16BE(13 + 4))).toEqual([0, 1]);
    expect(() => orderHandshakes({})).not.toThrow();
    expect(() => orderHandshakes(undefined)).not.toThrow();
  });
});
