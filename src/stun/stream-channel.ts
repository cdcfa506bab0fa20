import { connect as tcpConnect, isIPv6, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from "node:tls";
import { Duplex } from "node:stream";
import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../facts/common.js";
import { decode, HEADER, type Message } from "./message.js";
import {
  StunTimeoutError,
  StunTransportError,
  type RequestOptions,
  type StunChannel,
  type TransactionResult,
} from "./transaction.js";

export interface TlsHandshake {
  authorized: boolean;
  authorizationError?: string;
  protocol?: string;
  certificate?: PeerCertificate;
}

export interface StreamChannel extends StunChannel {
  /** Set for TLS channels once the handshake completed. */
  readonly tls: TlsHandshake | undefined;
}

export interface StreamOptions {
  transport: "tcp" | "tls";
  timeoutMs: number;
  /** SNI and the name the certificate is checked against (the URL's host). */
  servername?: string;
  /** Extra trust anchors (tests use their own CA). */
  ca?: string | Buffer;
}

/**
 * STUN over TCP or TLS (RFC 5389 section 7.2.2): one connection, messages framed by their own
 * length, no retransmissions. The certificate is not rejected during the handshake: we keep the
 * connection, record why it does not verify, and let a rule decide what that means.
 */
export async function openStreamChannel(remote: TransportAddress, options: StreamOptions): Promise<StreamChannel> {
  const { socket, raw } = await connectSocket(remote, options);
  let tls: TlsHandshake | undefined;
  if (options.transport === "tls") {
    const t = socket as TLSSocket;
    tls = {
      authorized: t.authorized,
      authorizationError: t.authorizationError ? String(t.authorizationError) : undefined,
      protocol: t.getProtocol() ?? undefined,
      certificate: t.getPeerCertificate(false),
    };
  }
  const local: TransportAddress | undefined = raw.localAddress
    ? { address: raw.localAddress, port: raw.localPort ?? 0, family: isIPv6(raw.localAddress) ? 6 : 4 }
    : undefined;
  const pending = new Map<string, { sentAt: number; resolve(r: TransactionResult): void; reject(e: Error): void }>();
  let buffer = Buffer.alloc(0);
  let failure: Error | undefined;

  socket.on("data", (chunk: Buffer) => {
    if (failure) return;
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length > 0) {
      // Framing comes from the STUN header alone: once it is not one, nothing after it can be read.
      if (!couldBeStunHeader(buffer)) return notStun(new NotStunError(describeBytes(buffer.subarray(0, SNIFFED_BYTES))));
      if (buffer.length < HEADER) break;
      const total = HEADER + buffer.readUInt16BE(2);
      if (buffer.length < total) break;
      const frame = buffer.subarray(0, total);
      buffer = buffer.subarray(total);
      const message = decode(Buffer.from(frame));
      if (!message) return notStun(new NotStunError(`a ${total}-byte STUN message whose attributes cannot be read`));
      const entry = pending.get(message.transactionId.toString("hex"));
      if (entry) {
        pending.delete(message.transactionId.toString("hex"));
        entry.resolve({ response: message, from: remote, rttMs: performance.now() - entry.sentAt, retransmissions: 0 });
      }
    }
  });
  const failAll = (error: Error) => {
    failure ??= error;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  const notStun = (error: NotStunError) => {
    failAll(error);
    socket.destroy();
  };
  socket.on("error", (error: NodeJS.ErrnoException) => failAll(transportError(error)));
  socket.on("close", () => failAll(new StunTransportError("the server closed the connection", "ECONNRESET")));

  return {
    transport: options.transport,
    localAddress: local,
    tls,
    request(message: Message, requestOptions: RequestOptions): Promise<TransactionResult> {
      if (failure) return Promise.reject(failure);
      const key = message.transactionId.toString("hex");
      const sentAt = performance.now();
      return new Promise<TransactionResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(key);
          reject(new StunTimeoutError(1, performance.now() - sentAt));
        }, requestOptions.timeoutMs);
        pending.set(key, {
          sentAt,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        socket.write(message.bytes);
      });
    },
    close() {
      socket.destroy();
    },
  };
}

/** The TCP connection was not accepted within the bound: no SYN-ACK came (a filtered port or a host that is down). */
export class TcpConnectTimeoutError extends StunTimeoutError {}

/** TCP connected, but the TLS handshake did not complete within the bound. */
export class TlsHandshakeStalledError extends Error {
  override readonly name = "TlsHandshakeStalledError";
  constructor(
    readonly bytesReceived: number,
    readonly elapsedMs: number,
  ) {
    super(
      bytesReceived === 0
        ? `TCP connected, then no answer to the TLS ClientHello within ${Math.round(elapsedMs)} ms`
        : `TCP connected, then the TLS handshake did not complete within ${Math.round(elapsedMs)} ms (${bytesReceived} bytes received)`,
    );
  }
}

/** TCP connected, and what came back is not TLS: the port speaks another protocol. */
export class NotTlsError extends Error {
  override readonly name = "NotTlsError";
  constructor(readonly what: string) {
    super(`the port answered the TLS ClientHello with ${what}, not TLS`);
  }
}

/** TCP (or TLS) is up, and the server sent something that is not a STUN message. */
export class NotStunError extends Error {
  override readonly name = "NotStunError";
  constructor(readonly what: string) {
    super(`answered with ${what}, not STUN`);
  }
}

/** As much of a STUN header (RFC 5389 section 6) as has arrived: top bits 0, length a multiple of 4, the magic cookie. */
function couldBeStunHeader(bytes: Buffer): boolean {
  if (((bytes[0] as number) & 0xc0) !== 0) return false;
  if (bytes.length >= 4 && bytes.readUInt16BE(2) % 4 !== 0) return false;
  return bytes.length < 8 || bytes.readUInt32BE(4) === 0x2112a442;
}

/** How much of the server's first bytes is kept to say what it speaks. */
const SNIFFED_BYTES = 64;

/**
 * The TCP connection first, on its own, so that a port that never accepts (no SYN-ACK) is told
 * apart from one that accepts and then stalls the TLS handshake; then TLS over it, through a stream
 * that keeps the server's first bytes, so that a port speaking HTTP or SSH is named as such.
 */
async function connectSocket(remote: TransportAddress, options: StreamOptions): Promise<{ socket: Socket; raw: Socket }> {
  const started = performance.now();
  const raw = await new Promise<Socket>((resolve, reject) => {
    const socket = tcpConnect({ host: remote.address, port: remote.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TcpConnectTimeoutError(1, performance.now() - started));
    }, options.timeoutMs);
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(transportError(error));
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
  if (options.transport === "tcp") return { socket: raw, raw };

  const first: Buffer[] = [];
  let received = 0;
  const sniffed = () => Buffer.concat(first).subarray(0, SNIFFED_BYTES);
  const stream = new Duplex({
    read: () => void raw.resume(),
    write: (chunk: Buffer, _encoding, done) => void raw.write(chunk, done),
    final: (done) => {
      raw.end();
      done();
    },
    destroy: (error, done) => {
      raw.destroy();
      done(error);
    },
  });
  raw.on("data", (chunk: Buffer) => {
    if (received < SNIFFED_BYTES) first.push(chunk.subarray(0, SNIFFED_BYTES - received));
    received += chunk.length;
    if (!stream.push(chunk)) raw.pause();
  });
  raw.on("end", () => stream.push(null));
  raw.on("error", (error) => stream.destroy(error));
  raw.on("close", () => stream.destroy());

  const tlsOptions: ConnectionOptions = { socket: stream, rejectUnauthorized: false, ca: options.ca };
  // SNI must not carry an IP literal (RFC 6066); the check against the name still happens.
  if (options.servername && !/^[\d.]+$|:/.test(options.servername)) tlsOptions.servername = options.servername;
  const left = Math.max(1, options.timeoutMs - (performance.now() - started));
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const tls = tlsConnect(tlsOptions);
    const fail = (error: Error) => {
      clearTimeout(timer);
      tls.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(notTls(sniffed()) ?? new TlsHandshakeStalledError(received, performance.now() - started)), left);
    tls.once("error", (error: NodeJS.ErrnoException) => fail(notTls(sniffed()) ?? handshakeError(error, received)));
    tls.once("secureConnect", () => {
      clearTimeout(timer);
      tls.removeAllListeners("error");
      resolve(tls);
    });
  });
  return { socket, raw };
}

/** A NotTlsError when the server's first bytes cannot start a TLS record (content type 20-24, version 3.x). */
function notTls(bytes: Buffer): NotTlsError | undefined {
  if (bytes.length === 0) return undefined;
  const type = bytes[0] as number;
  if (type >= 20 && type <= 24 && (bytes.length < 2 || bytes[1] === 3)) return undefined;
  return new NotTlsError(describeBytes(bytes));
}

/** What a non-TLS answer looks like: its protocol when it is a known one, its first line when it is text, else its first bytes in hex. */
export function describeBytes(bytes: Buffer): string {
  if (bytes.length >= 20 && bytes.readUInt32BE(4) === 0x2112a442 && ((bytes[0] as number) & 0xc0) === 0) return "a STUN message (a plain STUN/TURN port, not a TLS one)";
  const text = bytes.toString("latin1");
  const printable = [...text].filter((c) => c === "\r" || c === "\n" || c === "\t" || (c >= " " && c <= "~")).length;
  if (printable < text.length * 0.9) return `${bytes.length < SNIFFED_BYTES ? bytes.length : "binary"} bytes starting ${bytes.subarray(0, 8).toString("hex").replace(/(..)(?=.)/g, "$1 ")}`;
  const line = (text.split(/\r?\n/)[0] ?? "").replace(/[^ -~]/g, "").slice(0, 40).trim();
  const protocol = /^HTTP\/\d/.test(line) ? " (HTTP)" : /^SSH-/.test(line) ? " (SSH)" : /^220[ -]/.test(line) ? " (an SMTP or FTP greeting)" : "";
  return `the text '${line}'${protocol}`;
}

/** A failed TLS handshake in words, never OpenSSL's raw error string (addresses, source paths). */
function handshakeError(error: NodeJS.ErrnoException, received: number): StunTransportError {
  const code = error.code ?? "";
  if (code === "ECONNREFUSED" || code === "ENETUNREACH" || code === "EHOSTUNREACH") return transportError(error);
  if (code === "ECONNRESET" || code === "EPIPE" || /disconnected before secure TLS/i.test(error.message)) {
    return new StunTransportError(received === 0 ? "the server closed the connection during the TLS handshake, without answering it" : `the server closed the connection during the TLS handshake (${received} bytes received)`, "TLS");
  }
  return new StunTransportError(tlsReason(error), "TLS");
}

function transportError(error: NodeJS.ErrnoException): StunTransportError {
  const code = error.code;
  if (code === "ECONNREFUSED") return new StunTransportError("connection refused (nothing listens on that port)", code);
  if (code === "ECONNRESET") return new StunTransportError("the connection was reset", code);
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH") return new StunTransportError("network unreachable", code);
  if (code?.startsWith("ERR_SSL") || /SSL routines/.test(error.message)) return new StunTransportError(tlsReason(error), "TLS");
  return new StunTransportError(error.message, code);
}

/** OpenSSL's reason as words ("wrong version number"), without its raw error string (addresses, source paths). */
function tlsReason(error: NodeJS.ErrnoException): string {
  const code = error.code ?? "";
  if (code.startsWith("ERR_SSL_")) return code.slice("ERR_SSL_".length).toLowerCase().replace(/_/g, " ");
  return /SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? (code || "the TLS handshake failed");
}
