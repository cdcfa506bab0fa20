import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../facts/common.js";
import { decode, type Message } from "./message.js";
import {
  StunIcmpError,
  StunTimeoutError,
  isIcmpErrorCode,
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
  startedAt: number;
  resolve(result: TransactionResult): void;
  fail(error?: Error): void;
}

export type UnmatchedListener = (message: Message, from: TransportAddress) => void;

/** Answered transactions remembered to recognise their late copies; older ones count as unknown. */
const REMEMBERED_ANSWERS = 256;

interface Answered {
  destination: TransportAddress;
  /** Further answers a retransmitted request may legitimately get (one per extra send). */
  allowance: number;
}

/**
 * One UDP socket that runs many STUN transactions at once, to one or many servers. Answers are
 * matched by transaction id, so one local port can serve NAT tests against several addresses, and
 * messages that match nothing (e.g. our own hairpinned request) go to `onUnmatched`.
 *
 * A socket opened with `connect` talks to one server only, and in return hears the ICMP errors the
 * kernel reports on connected sockets (port unreachable, communication prohibited): a transaction
 * then ends at once with a StunIcmpError instead of waiting out its timeout.
 */
export class UdpStunSocket {
  private readonly pending = new Map<string, Pending>();
  private readonly unmatched = new Set<UnmatchedListener>();
  private readonly answered = new Map<string, Answered>();
  /** Per server ("address|port"): answers beyond one per request sent, to transactions already answered. */
  private readonly duplicates = new Map<string, number>();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly connectedTo?: TransportAddress,
  ) {
    socket.on("message", (data, rinfo) => this.onMessage(data, rinfo.address, rinfo.port));
    // An unconnected socket hears no ICMP errors (Linux reports them only on connected ones): a
    // pending request to a closed port then times out. Other errors have no transaction to end.
    socket.on("error", (error: NodeJS.ErrnoException) => this.onSocketError(error));
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

  /**
   * A socket connected to one server: the kernel then reports ICMP errors for it, and a refused
   * port ends its transactions at once. Rejects with the OS error (no route: ENETUNREACH).
   */
  static async connect(remote: TransportAddress): Promise<UdpStunSocket> {
    const socket = createSocket({ type: remote.family === 6 ? "udp6" : "udp4" });
    try {
      await new Promise<void>((resolve, reject) => socket.connect(remote.port, remote.address, (error?: Error) => (error ? reject(error) : resolve())));
    } catch (error) {
      socket.close();
      throw error;
    }
    return new UdpStunSocket(socket, remote);
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
    if (!this.closed) this.transmitTo(message.bytes, destination);
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
        startedAt: started,
        fail: () => {},
        resolve: (result) => {
          clearTimeout(timer);
          clearTimeout(deadline);
          options.signal?.removeEventListener("abort", onAbort);
          this.pending.delete(key);
          resolve(result);
        },
      };
      const fail = (error?: Error) => {
        clearTimeout(timer);
        clearTimeout(deadline);
        options.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(key);
        const strays = entry.stray.notStun + entry.stray.unknownTransaction;
        reject(error ?? new StunTimeoutError(entry.attempts, performance.now() - started, strays > 0 ? { ...entry.stray } : undefined));
      };
      entry.fail = fail;
      // Timers run before I/O in Node's loop: after a stall (a descheduled process, a busy loop) an
      // answer that already arrived would lose to the deadline. Let pending I/O be read first.
      const deadline = setTimeout(() => setImmediate(() => this.pending.get(key) === entry && fail()), options.timeoutMs);
      const transmit = () => {
        if (this.closed) return fail();
        entry.attempts += 1;
        entry.lastSentAt = performance.now();
        this.transmitTo(bytes, destination);
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

  /** Answers from `server` beyond one per request sent (a server or path that answers each request many times). */
  duplicateRepliesFrom(server: TransportAddress): number {
    return this.duplicates.get(addressKey(server)) ?? 0;
  }

  /** A StunChannel bound to one server, for code that does not care about the transport. */
  channelTo(destination: TransportAddress, ownsSocket = true): StunChannel {
    return {
      transport: "udp",
      localAddress: this.localAddress,
      duplicateReplies: () => this.duplicateRepliesFrom(destination),
      request: (message, options) => this.request(message, destination, options),
      close: () => {
        if (ownsSocket) this.close();
      },
    };
  }

  private transmitTo(bytes: Buffer, destination: TransportAddress): void {
    if (!this.connectedTo) {
      this.socket.send(bytes, destination.port, destination.address);
      return;
    }
    if (!sameAddress(this.connectedTo, destination)) throw new Error(`this UDP socket is connected to ${this.connectedTo.address}:${this.connectedTo.port}, not ${destination.address}:${destination.port}`);
    // A pending ICMP error can surface on the next send instead of the next receive.
    this.socket.send(bytes, (error) => error && this.onSocketError(error as NodeJS.ErrnoException));
  }

  /** On a connected socket an ICMP error is the answer to every transaction in flight: they all go to that one server. */
  private onSocketError(error: NodeJS.ErrnoException): void {
    if (!this.connectedTo || !isIcmpErrorCode(error.code)) return;
    const now = performance.now();
    for (const entry of [...this.pending.values()]) entry.fail(new StunIcmpError(error.code!, entry.attempts, now - entry.startedAt));
  }

  private remember(key: string, answered: Answered): void {
    this.answered.set(key, answered);
    if (this.answered.size > REMEMBERED_ANSWERS) this.answered.delete(this.answered.keys().next().value as string);
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
      this.remember(message.transactionId.toString("hex"), { destination: entry.destination, allowance: entry.attempts - 1 });
      entry.resolve({
        response: message,
        from,
        rttMs: performance.now() - entry.lastSentAt,
        retransmissions: entry.attempts - 1,
      });
      return;
    }
    const earlier = entry ? undefined : this.answered.get(message.transactionId.toString("hex"));
    if (earlier && message.messageClass !== 0 && sameAddress(earlier.destination, from)) {
      // A late copy of an answer we already have: not a reply to no request, and no new information.
      if (earlier.allowance > 0) earlier.allowance -= 1;
      else this.duplicates.set(addressKey(from), (this.duplicates.get(addressKey(from)) ?? 0) + 1);
      return;
    }
    if (!entry && message.messageClass !== 0) {
      for (const pending of this.pending.values()) if (sameAddress(pending.destination, from)) pending.stray.unknownTransaction += 1;
    }
    for (const listener of this.unmatched) listener(message, from);
  }
}

function addressKey(a: TransportAddress): string {
  return `${normalise(a.address)}|${a.port}`;
}

function sameAddress(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && normalise(a.address) === normalise(b.address);
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) as seen on dual-stack sockets is the same host. */
function normalise(address: string): string {
  return address.toLowerCase().replace(/^::ffff:/, "");
}
