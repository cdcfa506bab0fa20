/**
 * werift 0.24's DTLS acts on each handshake record the moment it arrives, in arrival order, and acts
 * again on every copy. On a path that reorders or loses datagrams that breaks the handshake for good,
 * where a browser's DTLS (BoringSSL) buffers and orders messages by message_seq as RFC 6347 4.2.2
 * asks. Seen in the NAT lab with 240 ms RTT and +-10 ms jitter:
 * - a CertificateVerify that overtakes the client's Certificate fails the transport at once
 *   ("client certificate missing before certificate verify");
 * - the server derives the master secret each time a ClientKeyExchange arrives, over every handshake
 *   message it holds by then: one arriving after the CertificateVerify, or a retransmitted one, gives
 *   a wrong key, the client's Finished never decrypts, and DTLS stalls until the connect timeout;
 * - a CertificateRequest that arrives after ServerHelloDone makes the client answer without a
 *   certificate, which the server waits for forever;
 * - a second HelloVerifyRequest (the answer to a retransmitted ClientHello on a path slower than
 *   werift's 500 ms first retransmission) throws in the client and fails the transport.
 *
 * This sits between werift's ICE transport and its DTLS socket and hands the socket each handshake
 * message once, whole, in message_seq order, as a browser's stack would process them. Copies of the
 * peer's last flight still reach werift where werift answers them by retransmitting its own flight
 * (werift has no timer for its last flight, the server's Finished). Everything else passes unchanged.
 */

const RECORD_HEADER = 13;
const HANDSHAKE_HEADER = 12;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION_DATA = 23;
/** No WebRTC handshake message comes near this; a larger one is passed on for werift to judge. */
const MAX_MESSAGE = 64 * 1024;
/** How far ahead of the next expected message_seq a message is kept (a WebRTC flight has at most 5). */
const MAX_AHEAD = 16;

const CLIENT_HELLO = 1;
const CERTIFICATE = 11;
const SERVER_HELLO_DONE = 14;
const CERTIFICATE_VERIFY = 15;
const CLIENT_KEY_EXCHANGE = 16;

export type DtlsRole = "client" | "server";

interface DtlsRecord {
  contentType: number;
  epoch: number;
  /** The record as received. */
  raw: Buffer;
  body: Buffer;
}

interface Fragment {
  msgType: number;
  length: number;
  seq: number;
  offset: number;
  bytes: Buffer;
}

/** The records of one datagram, or undefined when it is not a well-formed run of DTLS records. */
export function splitRecords(datagram: Buffer): DtlsRecord[] | undefined {
  const records: DtlsRecord[] = [];
  let at = 0;
  while (at < datagram.length) {
    if (datagram.length - at < RECORD_HEADER) return undefined;
    const length = datagram.readUInt16BE(at + 11);
    const end = at + RECORD_HEADER + length;
    if (end > datagram.length) return undefined;
    records.push({
      contentType: datagram[at]!,
      epoch: datagram.readUInt16BE(at + 3),
      raw: datagram.subarray(at, end),
      body: datagram.subarray(at + RECORD_HEADER, end),
    });
    at = end;
  }
  return records;
}

/** The handshake fragments in a plaintext handshake record, or undefined when malformed. */
function fragmentsOf(body: Buffer): Fragment[] | undefined {
  const fragments: Fragment[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < HANDSHAKE_HEADER) return undefined;
    const length = body.readUIntBE(at + 1, 3);
    const offset = body.readUIntBE(at + 6, 3);
    const fragmentLength = body.readUIntBE(at + 9, 3);
    const end = at + HANDSHAKE_HEADER + fragmentLength;
    if (end > body.length || offset + fragmentLength > length) return undefined;
    fragments.push({ msgType: body[at]!, length, seq: body.readUInt16BE(at + 4), offset, bytes: body.subarray(at + HANDSHAKE_HEADER, end) });
    at = end;
  }
  return fragments;
}

/** One handshake message being put together from its fragments. */
class PartialMessage {
  private readonly bytes: Buffer;
  /** Byte ranges received so far, [start, end), merged and sorted. */
  private ranges: [number, number][] = [];

  constructor(
    readonly msgType: number,
    readonly length: number,
    readonly seq: number,
    /** Header of the first record it came in: version and record sequence for the rebuilt record. */
    private readonly recordHeader: Buffer,
  ) {
    this.bytes = Buffer.alloc(length);
  }

  add(fragment: Fragment): void {
    if (fragment.msgType !== this.msgType || fragment.length !== this.length) return;
    fragment.bytes.copy(this.bytes, fragment.offset);
    const ranges = [...this.ranges, [fragment.offset, fragment.offset + fragment.bytes.length] as [number, number]].sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push([...range]);
    }
    this.ranges = merged;
  }

  get complete(): boolean {
    if (this.length === 0) return true;
    const [first] = this.ranges;
    return this.ranges.length === 1 && first![0] === 0 && first![1] === this.length;
  }

  /** The whole message as one plaintext record with a single unfragmented handshake. */
  record(): Buffer {
    return wholeMessageRecord(this.recordHeader, this.msgType, this.seq, this.bytes);
  }
}

function wholeMessageRecord(recordHeader: Buffer, msgType: number, seq: number, bytes: Buffer): Buffer {
  const record = Buffer.alloc(RECORD_HEADER + HANDSHAKE_HEADER + bytes.length);
  recordHeader.copy(record, 0, 0, RECORD_HEADER);
  record.writeUInt16BE(HANDSHAKE_HEADER + bytes.length, 11);
  record[RECORD_HEADER] = msgType;
  record.writeUIntBE(bytes.length, RECORD_HEADER + 1, 3);
  record.writeUInt16BE(seq, RECORD_HEADER + 4);
  record.writeUIntBE(0, RECORD_HEADER + 6, 3);
  record.writeUIntBE(bytes.length, RECORD_HEADER + 9, 3);
  bytes.copy(record, RECORD_HEADER + HANDSHAKE_HEADER);
  return record;
}

/**
 * The receive side of one DTLS endpoint: datagrams in, in the order the network delivered them;
 * records out to `deliver`, in the order a DTLS stack must process them.
 */
export class HandshakeOrder {
  private next = 0;
  private lastType: number | undefined;
  private readonly pending = new Map<number, PartialMessage>();
  /** A copy of the last message handed on, being put together again (see repeated). */
  private repeat: PartialMessage | undefined;
  private certificate = false;
  private keyExchange = false;
  private verify = false;
  /** The client's Finished, held at the server until the messages it follows were handed on. */
  private heldFinished: Buffer | undefined;
  /** An encrypted handshake message (the peer's Finished) was handed on: the handshake is over on this side's view. */
  private finished = false;

  constructor(
    private readonly role: DtlsRole,
    private readonly deliver: (data: Buffer) => void,
  ) {}

  receive(datagram: Buffer): void {
    // After the handshake nearly every datagram is one application-data record (an SCTP packet).
    if (datagram[0] === CONTENT_APPLICATION_DATA && datagram.length >= RECORD_HEADER && datagram.length === RECORD_HEADER + datagram.readUInt16BE(11)) {
      this.deliver(datagram);
      return;
    }
    const records = splitRecords(datagram);
    if (!records || !records.some((r) => r.contentType === CONTENT_HANDSHAKE)) {
      this.deliver(datagram);
      return;
    }
    for (const record of records) this.record(record);
  }

  private record(record: DtlsRecord): void {
    if (record.contentType !== CONTENT_HANDSHAKE) {
      this.deliver(record.raw);
      return;
    }
    if (record.epoch > 0) {
      this.encryptedHandshake(record.raw);
      return;
    }
    const fragments = fragmentsOf(record.body);
    if (!fragments || fragments.some((f) => f.length > MAX_MESSAGE)) {
      this.deliver(record.raw);
      return;
    }
    for (const fragment of fragments) this.fragment(record.raw, fragment);
    this.drain();
    this.releaseFinished();
  }

  private fragment(recordHeader: Buffer, fragment: Fragment): void {
    if (fragment.seq < this.next) {
      if (this.answersRetransmission(fragment)) this.repeated(recordHeader, fragment);
      return;
    }
    if (fragment.seq >= this.next + MAX_AHEAD) return;
    let message = this.pending.get(fragment.seq);
    if (!message) {
      message = new PartialMessage(fragment.msgType, fragment.length, fragment.seq, recordHeader);
      this.pending.set(fragment.seq, message);
    }
    message.add(fragment);
  }

  /**
   * A copy of the last message handed on that werift answers by sending its own last flight again:
   * the server resends HelloVerifyRequest or its flight 4 for a ClientHello, the client its flight
   * 5 for a ServerHelloDone. Any other copy werift would act on a second time, wrongly.
   */
  private answersRetransmission(fragment: Fragment): boolean {
    if (this.finished || fragment.seq !== this.next - 1 || fragment.msgType !== this.lastType) return false;
    return this.role === "server" ? fragment.msgType === CLIENT_HELLO : fragment.msgType === SERVER_HELLO_DONE;
  }

  /**
   * The copy is handed on once it is whole again. A browser's ClientHello with a post-quantum key
   * share (X25519MLKEM768) is larger than its DTLS MTU and comes in two fragments, in every copy:
   * a copy is put together like the first was.
   */
  private repeated(recordHeader: Buffer, fragment: Fragment): void {
    if (!this.repeat || this.repeat.seq !== fragment.seq || this.repeat.length !== fragment.length) {
      this.repeat = new PartialMessage(fragment.msgType, fragment.length, fragment.seq, recordHeader);
    }
    this.repeat.add(fragment);
    if (!this.repeat.complete) return;
    const whole = this.repeat.record();
    this.repeat = undefined;
    this.deliver(whole);
  }

  private drain(): void {
    for (let message = this.pending.get(this.next); message?.complete; message = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.next += 1;
      this.lastType = message.msgType;
      if (message.msgType === CERTIFICATE) this.certificate = true;
      if (message.msgType === CLIENT_KEY_EXCHANGE) this.keyExchange = true;
      if (message.msgType === CERTIFICATE_VERIFY) this.verify = true;
      this.deliver(message.record());
    }
  }

  /**
   * The peer's Finished is the one encrypted handshake message. The server can decrypt and check it
   * only after the ClientKeyExchange (and, when the client sent a certificate, its
   * CertificateVerify): before that it is held, the newest copy kept. Later copies pass: the werift
   * server answers each with its Finished again, which is how a lost one is replaced.
   */
  private encryptedHandshake(raw: Buffer): void {
    if (this.role === "server" && !this.readyForFinished()) {
      this.heldFinished = Buffer.from(raw);
      return;
    }
    this.finished = true;
    this.deliver(raw);
  }

  private readyForFinished(): boolean {
    return this.keyExchange && (!this.certificate || this.verify);
  }

  private releaseFinished(): void {
    if (!this.heldFinished || !this.readyForFinished()) return;
    const held = this.heldFinished;
    this.heldFinished = undefined;
    this.finished = true;
    this.deliver(held);
  }
}

/** werift's DtlsSocket (DtlsClient, DtlsServer) as far as the order needs it; not exported API. */
export interface WeriftDtlsSocket {
  sessionType?: number;
  udpOnMessage?: (data: Buffer) => void;
  transport?: { socket?: { onData?: (data: Buffer) => void } };
  rtcDoctorOrdered?: boolean;
}

/** werift's SessionType.SERVER (dtls/src/cipher/suites/abstract.ts). */
const WERIFT_SERVER = 2;

/** Puts the order in front of one werift DTLS socket; leaves a socket it does not recognise alone. */
export function orderHandshakes(socket: WeriftDtlsSocket | undefined): void {
  const onMessage = socket?.udpOnMessage;
  const ice = socket?.transport?.socket;
  if (!socket || socket.rtcDoctorOrdered || typeof onMessage !== "function" || !ice || typeof ice.onData !== "function") return;
  const order = new HandshakeOrder(socket.sessionType === WERIFT_SERVER ? "server" : "client", (data) => onMessage(data));
  ice.onData = (data: Buffer) => order.receive(data);
  socket.rtcDoctorOrdered = true;
}
