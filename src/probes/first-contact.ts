import { performance } from "node:perf_hooks";
import type { Message } from "../stun/message.js";
import type { RequestOptions, StunChannel, TransactionResult } from "../stun/transaction.js";

/** Below this a UDP answer is always waited for: scheduling and a lost first packet need room. */
export const UDP_WAIT_FLOOR_MS = 500;
/** How many stream RTTs a UDP answer from the same host may take (jitter, retransmission, server load). */
export const UDP_WAIT_RTT_FACTOR = 4;

/** Why a UDP wait ended before its timeout: TCP or TLS to the same address had answered. */
export interface UdpWaitCut {
  boundMs: number;
  streamRttMs: number;
  /** The target whose TCP/TLS answer set the bound. */
  streamServerId: string;
}

interface Waiter {
  startedAt: number;
  controller: AbortController;
  timer?: NodeJS.Timeout;
  cut?: UdpWaitCut;
}

/**
 * The first-contact wait that all of a run's UDP probes share. Before any RTT is known, a UDP probe
 * waits its whole timeout, since silence is the only sign of a blocked path. Once TCP or TLS to the
 * same address has answered in r ms, the path and the server are known to be alive: a UDP answer
 * that has not come within max(floor, 4 r) is not coming, and waiting further only delays the
 * "UDP blocked" verdict. A slow path keeps its answers, because its TCP RTT is slow as well.
 */
export class FirstContactBound {
  private readonly streamRtt = new Map<string, { rttMs: number; serverId: string }>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly floorMs = UDP_WAIT_FLOOR_MS,
    private readonly factor = UDP_WAIT_RTT_FACTOR,
  ) {}

  /** A TCP/TLS transaction with `address` got its first answer. */
  streamAnswered(address: string, rttMs: number, serverId: string): void {
    const known = this.streamRtt.get(address);
    if (known && known.rttMs <= rttMs) return;
    this.streamRtt.set(address, { rttMs, serverId });
    for (const waiter of this.waiters.get(address) ?? []) this.arm(waiter, address);
  }

  /** A UDP first contact with `address` begins; its signal aborts once the wait is past the bound. */
  udpWait(address: string): { signal: AbortSignal; cut(): UdpWaitCut | undefined; done(): void } {
    const waiter: Waiter = { startedAt: performance.now(), controller: new AbortController() };
    const set = this.waiters.get(address) ?? new Set<Waiter>();
    this.waiters.set(address, set.add(waiter));
    this.arm(waiter, address);
    return {
      signal: waiter.controller.signal,
      cut: () => waiter.cut,
      done: () => {
        clearTimeout(waiter.timer);
        set.delete(waiter);
      },
    };
  }

  private arm(waiter: Waiter, address: string): void {
    const known = this.streamRtt.get(address);
    if (!known || waiter.controller.signal.aborted) return;
    const boundMs = Math.round(Math.max(this.floorMs, this.factor * known.rttMs));
    clearTimeout(waiter.timer);
    waiter.timer = setTimeout(
      () => {
        waiter.cut = { boundMs, streamRttMs: known.rttMs, streamServerId: known.serverId };
        waiter.controller.abort();
      },
      Math.max(0, waiter.startedAt + boundMs - performance.now()),
    );
  }
}

/**
 * A channel that takes part in the shared wait: over TCP/TLS its first answer sets the bound for
 * UDP probes of the same address; over UDP its requests end at that bound until one is answered.
 */
export function sharingFirstContact(
  channel: StunChannel,
  bound: FirstContactBound,
  address: string,
  serverId: string,
  onCut: (cut: UdpWaitCut) => void,
): StunChannel {
  let answered = false;
  const request = async (message: Message, options: RequestOptions): Promise<TransactionResult> => {
    if (answered) return channel.request(message, options);
    if (channel.transport !== "udp") {
      const result = await channel.request(message, options);
      answered = true;
      bound.streamAnswered(address, result.rttMs, serverId);
      return result;
    }
    const wait = bound.udpWait(address);
    try {
      const result = await channel.request(message, { ...options, signal: wait.signal });
      answered = true;
      return result;
    } catch (error) {
      const cut = wait.cut();
      if (cut) onCut(cut);
      throw error;
    } finally {
      wait.done();
    }
  };
  return {
    transport: channel.transport,
    get localAddress() {
      return channel.localAddress;
    },
    request,
    close: () => channel.close(),
  };
}
