import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../facts/common.js";
import { decode, type Message } from "./message.js";
import {
  StunTimeoutError,
  type RequestOptions,
  type StrayReplies,
  type StunChannel,
  type TransactionResult,
} from "./transaction.js";

interface Pending {
  destination: TransportAddress;
  acceptAnySource: boolean;
  lastSentAt: number;
  attempts: number;
  stray: StrayReplies;
  resolve(result: TransactionResult): void;
}

export type UnmatchedListener = (message: Message, from: TransportAddress) => void;

/**
 * One UDP socket that runs many STUN transactions at once, to one or many servers. Answers are
 * matched by transaction id, so one local port can serve NAT tests against several addresses, and
 * messages that match nothing (e.g. our own hairpinned request) go to `onUnmatched`.
 */
export class UdpStunSocket {
  private readonly pending = new Map<string, Pending>();
  private readonly unmatched = new Set<UnmatchedListener>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("message", (data, rinfo) => this.onMessage(data, rinfo.address, rinfo.port));
    // Errors such as ICMP port unreachable surface per send on Linux; a pending request then simply
    // times out, which is how an unreachable server is reported.
    socket.on("error", () => {});
  }

  static async open(family: 4 | 6 = 4, localAddress?: string, localPort = 0): Promise<UdpStunSocket> {
    const socket = createSocket({ type: family === 6 ? "udp6" : "udp4" });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ port: localPort, address: localAddress }, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return new UdpStunSocket(socket);
  }

  get localAddress(): TransportAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port, family: isIPv6(a.address) ? 6 : 4 };
  }

  onUnmatched(listener: UnmatchedListener): () => void {
    this.unmatched.add(listener);
    return () => this.unmatched.delete(listener);
  }

  /** Sends a message once with no transaction (e.g. a hairpin probe towards our own mapped address). */
  send(message: Message, destination: TransportAddress): void {
    if (!this.closed) this.socket.send(message.bytes, destination.port, destination.address);
  }

  request(message: Message, destination: TransportAddress, options: RequestOptions): Promise<TransactionResult> {
    const key = message.transactionId.toString("hex");
    const bytes = message.bytes;
    const maxAttempts = options.maxAttempts ?? 7;
    let rto = options.initialRtoMs ?? 250;
    const started = performance.now();

    return new Promise<TransactionResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const entry: Pending = {
        destination,
        acceptAnySource: options.acceptAnySource ?? false,
        lastSentAt: started,
        attempts: 0,
        stray: { notStun: 0, unknownTransaction: 0 },
        resolve: (result) => {
          clearTimeout(timer);
          clearTimeout(deadline);
          options.signal?.removeEventListener("abort", onAbort);
          this.pending.delete(key);
          resolve(result);
        },
      };
      const fail = () => {
        clearTimeout(timer);
        clearTimeout(deadline);
        options.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(key);
        const strays = entry.stray.notStun + entry.stray.unknownTransaction;
        reject(new StunTimeoutError(entry.attempts, performance.now() - started, strays > 0 ? { ...entry.stray } : undefined));
      };
      // Timers run before I/O in Node's loop: after a stall (a descheduled process, a busy loop) an
      // answer that already arrived would lose to the deadline. Let pending I/O be read first.
      const deadline = setTimeout(() => setImmediate(() => this.pending.get(key) === entry && fail()), options.timeoutMs);
      const transmit = () => {
        if (this.closed) return fail();
        entry.attempts += 1;
        entry.lastSentAt = performance.now();
        this.socket.send(bytes, destination.port, destination.address);
        if (entry.attempts < maxAttempts) {
          timer = setTimeout(transmit, rto);
          rto *= 2;
        }
      };
      // Like the deadline: an answer already read from the socket wins over an abort.
      const onAbort = () => setImmediate(() => this.pending.get(key) === entry && fail());
      this.pending.set(key, entry);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      transmit();
      if (options.signal?.aborted) onAbort();
    });
  }

  /** A StunChannel bound to one server, for code that does not care about the transport. */
  channelTo(destination: TransportAddress, ownsSocket = true): StunChannel {
    return {
      transport: "udp",
      localAddress: this.localAddress,
      request: (message, options) => this.request(message, destination, options),
      close: () => {
        if (ownsSocket) this.close();
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private onMessage(data: Buffer, address: string, port: number): void {
    const message = decode(data);
    const from: TransportAddress = { address, port, family: isIPv6(address) ? 6 : 4 };
    if (!message) {
      // Garbage, a truncated message, an attribute past the end: the server answered, not with STUN.
      for (const entry of this.pending.values()) if (sameAddress(entry.destination, from)) entry.stray.notStun += 1;
      return;
    }
    const entry = this.pending.get(message.transactionId.toString("hex"));
    const fromDestination = entry && sameAddress(entry.destination, from);
    if (entry && (entry.acceptAnySource || fromDestination) && message.messageClass !== 0) {
      entry.resolve({
        response: message,
        from,
        rttMs: performance.now() - entry.lastSentAt,
        retransmissions: entry.attempts - 1,
      });
      return;
    }
    if (!entry && message.messageClass !== 0) {
      for (const pending of this.pending.values()) if (sameAddress(pending.destination, from)) pending.stray.unknownTransaction += 1;
    }
    for (const listener of this.unmatched) listener(message, from);
  }
}

function sameAddress(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && normalise(a.address) === normalise(b.address);
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) as seen on dual-stack sockets is the same host. */
function normalise(address: string): string {
  return address.toLowerCase().replace(/^::ffff:/, "");
}
