import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { DataChannel } from "../../webrtc/types.js";
import type { EchoSample } from "./stats.js";

/** The flood's packets: a run tag and a sequence number, then filler up to the packet's size. */
const HEADER_BYTES = 8;

export interface SentPacket {
  seq: number;
  sentAt: number;
  bytes: number;
  echo?: EchoSample;
}

/**
 * Numbered packets on the flood channel, each timed from its send to its echo. Echoes that are not
 * of this run (another tag, a duplicate) are ignored; the far end only has to send back what it got.
 */
export class Flood {
  readonly packets: SentPacket[] = [];
  private readonly tag = randomBytes(4).readUInt32BE(0);
  private readonly unsubscribe: () => void;
  private waiter?: () => void;
  received = 0;

  constructor(private readonly channel: DataChannel) {
    const sub = channel.onMessage.subscribe((data) => this.onEcho(data));
    this.unsubscribe = () => sub.unSubscribe();
  }

  private onEcho(data: unknown): void {
    const receivedAt = performance.now();
    if (!Buffer.isBuffer(data) || data.length < HEADER_BYTES || data.readUInt32BE(0) !== this.tag) return;
    const packet = this.packets[data.readUInt32BE(4)];
    if (!packet || packet.echo) return;
    packet.echo = { sentAt: packet.sentAt, receivedAt };
    this.received += 1;
    if (this.received === this.packets.length) this.waiter?.();
  }

  /** Bytes handed to the channel that werift's SCTP has not sent yet (its congestion window is full). */
  get backlog(): number {
    return this.channel.bufferedAmount;
  }

  send(bytes: number): void {
    const seq = this.packets.length;
    const data = Buffer.alloc(Math.max(HEADER_BYTES, bytes));
    data.writeUInt32BE(this.tag, 0);
    data.writeUInt32BE(seq, 4);
    this.packets.push({ seq, sentAt: performance.now(), bytes: data.length });
    try {
      this.channel.send(data);
    } catch {
      // A channel that closed under the flood: the packet counts as sent and lost.
    }
  }

  /**
   * Resolves once every packet sent so far came back, or once no echo came for `idleMs`, or after
   * `maxMs` at most: echoes still arriving are late, not lost (a queue draining, a busy machine).
   */
  async drain(idleMs: number, maxMs = idleMs): Promise<void> {
    if (this.received >= this.packets.length) return;
    const until = performance.now() + maxMs;
    let seen = this.received;
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, Math.min(idleMs, until - performance.now())));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
      if (this.received >= this.packets.length || this.received === seen || performance.now() >= until) return;
      seen = this.received;
    }
  }

  stop(): void {
    this.unsubscribe();
  }
}

/**
 * Sends `count` packets of `bytes` one every `intervalMs`, on the clock: a late timer sends what
 * fell due at once, so the rate holds even when timers fire coarsely. Returns how late the latest
 * timer fired, in milliseconds: how long this process could not run (its event loop busy, or the
 * machine's CPUs taken by others).
 */
export async function paced(flood: Flood, count: number, intervalMs: number, bytes: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  let lateMs = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor((performance.now() - start) / intervalMs) + 1);
    while (sent < due) {
      flood.send(bytes);
      sent += 1;
    }
    if (sent >= count) break;
    const next = start + sent * intervalMs;
    const wait = Math.max(1, next - performance.now());
    const armed = performance.now();
    await new Promise((resolve) => setTimeout(resolve, wait));
    lateMs = Math.max(lateMs, performance.now() - armed - wait);
  }
  return lateMs;
}
