/**
 * werift 0.24's SCTP makes an unreliable data channel reliable in two ways, so a flood meant to see
 * loss would see werift's retransmissions instead (each one at least 1 s late, its RTO floor):
 * - the sender abandons a chunk only when `!!chunk.maxRetransmits` (sctp.js maybeAbandon), so
 *   maxRetransmits 0 never abandons: every lost chunk is sent again;
 * - the DATA_CHANNEL_OPEN of a partially reliable channel sets its channel type to 1 (or 2) over the
 *   0x80 it set for unordered, so the far end opens the channel ordered and holds every echo behind
 *   a lost one (RFC 8832 section 5.1: 0x81 is "partial reliable rexmit, unordered").
 * Both are set right here: a chunk with maxRetransmits 0 is abandoned once it was sent, and an
 * unordered partially reliable channel says so in its OPEN.
 */

import { restartT1Instead } from "./sctp-duplicate-init-ack.js";

/** RFC 8832's DATA_CHANNEL_OPEN message type and the channel type bit for unordered delivery. */
const DCEP_PPID = 50;
const UNORDERED = 0x80;

interface Chunk {
  maxRetransmits?: number;
  sentCount?: number;
}

interface SctpPrototype {
  maybeAbandon(this: unknown, chunk: Chunk): boolean;
  rtcDoctorZeroRetransmits?: boolean;
}

interface Channel {
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
}

type QueueItem = [Channel, number, Buffer];

interface SctpTransportClass {
  prototype: {
    dataChannelOpen(this: { dataChannelQueue: QueueItem[] }, channel: Channel): void;
    start(this: { sctp?: object }, remotePort?: number): Promise<void>;
    rtcDoctorPartialReliability?: boolean;
  };
}

/** Zero retransmissions means none: werift's check treats 0 as "no limit". */
export function abandonWithoutRetransmits(proto: SctpPrototype | undefined): void {
  if (!proto || proto.rtcDoctorZeroRetransmits || typeof proto.maybeAbandon !== "function") return;
  const original = proto.maybeAbandon;
  proto.maybeAbandon = function (this: unknown, chunk: Chunk) {
    // -1 is truthy and below any send count: werift's own test then abandons the chunk.
    if (chunk.maxRetransmits === 0) chunk.maxRetransmits = -1;
    return original.call(this, chunk);
  };
  proto.rtcDoctorZeroRetransmits = true;
}

/** The channel type byte of an OPEN for `channel`, with the unordered bit werift drops. */
export function openChannelType(typeByte: number, channel: Channel): number {
  const partial = channel.maxRetransmits !== null || channel.maxPacketLifeTime !== null;
  return !channel.ordered && partial ? typeByte | UNORDERED : typeByte;
}

/** Applied once per process to werift's RTCSctpTransport (and, at its first start, to its SCTP). */
export function partialReliability(transportClass: SctpTransportClass | undefined): void {
  const proto = transportClass?.prototype;
  if (!proto || proto.rtcDoctorPartialReliability || typeof proto.dataChannelOpen !== "function" || typeof proto.start !== "function") return;
  const open = proto.dataChannelOpen;
  proto.dataChannelOpen = function (channel: Channel) {
    if (openChannelType(0, channel) === 0) return open.call(this, channel);
    // The OPEN is built and queued inside werift's call: its type byte is set as it is queued.
    const queue = this.dataChannelQueue;
    queue.push = function (this: QueueItem[], ...items: QueueItem[]) {
      for (const item of items) if (item[0] === channel && item[1] === DCEP_PPID) item[2][1] = openChannelType(item[2][1] ?? 0, channel);
      return Array.prototype.push.apply(this, items);
    };
    try {
      open.call(this, channel);
    } finally {
      delete (queue as { push?: unknown }).push;
    }
  };
  const start = proto.start;
  proto.start = function (this: { sctp?: object }, remotePort?: number) {
    if (this.sctp) {
      const sctp = Object.getPrototypeOf(this.sctp) as SctpPrototype & Parameters<typeof restartT1Instead>[0];
      abandonWithoutRetransmits(sctp);
      // The association's class is reachable only through a transport: its other fix goes on here too.
      restartT1Instead(sctp);
    }
    return start.call(this, remotePort);
  };
  proto.rtcDoctorPartialReliability = true;
}
