import { connect as tcpConnect, isIPv6, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from "node:tls";
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
  const socket = await connectSocket(remote, options);
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
  const local: TransportAddress | undefined = socket.localAddress
    ? { address: socket.localAddress, port: socket.localPort ?? 0, family: isIPv6(socket.localAddress) ? 6 : 4 }
    : undefined;

  const pending = new Map<string, { sentAt: number; resolve(r: TransactionResult): void; reject(e: Error): void }>();
  let buffer = Buffer.alloc(0);
  let failure: Error | undefined;

  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= HEADER) {
      const total = HEADER + buffer.readUInt16BE(2);
      if (buffer.length < total) break;
      const frame = buffer.subarray(0, total);
      buffer = buffer.subarray(total);
      const message = decode(Buffer.from(frame));
      const entry = message && pending.get(message.transactionId.toString("hex"));
      if (message && entry) {
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

function connectSocket(remote: TransportAddress, options: StreamOptions): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    let socket: Socket;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StunTimeoutError(1, options.timeoutMs));
    }, options.timeoutMs);
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(transportError(error));
    };
    if (options.transport === "tls") {
      const tlsOptions: ConnectionOptions = {
        host: remote.address,
        port: remote.port,
        rejectUnauthorized: false,
        ca: options.ca,
      };
      // SNI must not carry an IP literal (RFC 6066); the check against the name still happens.
      if (options.servername && !/^[\d.]+$|:/.test(options.servername)) tlsOptions.servername = options.servername;
      socket = tlsConnect(tlsOptions, () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(socket);
      });
    } else {
      socket = tcpConnect({ host: remote.address, port: remote.port }, () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(socket);
      });
    }
    socket.once("error", onError);
  });
}

function transportError(error: NodeJS.ErrnoException): StunTransportError {
  const code = error.code;
  if (code === "ECONNREFUSED") return new StunTransportError("connection refused (nothing listens on that port)", code);
  if (code === "ECONNRESET") return new StunTransportError("the connection was reset", code);
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH") return new StunTransportError("network unreachable", code);
  if (code?.startsWith("ERR_SSL") || /SSL|TLS|handshake/i.test(error.message)) {
    return new StunTransportError(`TLS handshake failed: ${error.message}`, "TLS");
  }
  return new StunTransportError(error.message, code);
}
