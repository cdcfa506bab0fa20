import { performance } from "node:perf_hooks";
import type { ConnectStage, ConnectivityFact, IceStateChange } from "../../facts/connectivity.js";
import { bounded } from "../../webrtc/bounded.js";
import { readPairStats } from "../../webrtc/pair-stats.js";
import type { DataChannel, PeerConnection } from "../../webrtc/types.js";
import { measureQuality, openQualityChannel } from "../quality/measure.js";

/** A connection attempt before anything happened: the fact every path fills in as it goes. */
export function pendingConnectivityFact(mode: ConnectivityFact["mode"], via?: string): ConnectivityFact {
  return { mode, ...(via !== undefined ? { via } : {}), ok: false, durationMs: 0, iceStates: [], pairs: [], localCandidates: [], remoteCandidates: [] };
}

/** Data-channel messages the far end echoes; rtc-doctor serve and the loopback answerer both do. */
export const ECHO_PREFIX = "rtc-doctor-echo ";
export const DATA_CHANNEL_LABEL = "rtc-doctor";

/**
 * Watches one local peer from the start of an attempt: the ICE state timeline and when each step
 * completed. Times are milliseconds since the attempt started.
 */
export class AttemptRecorder {
  readonly startedAt = performance.now();
  readonly iceStates: IceStateChange[] = [];
  connectedAtMs?: number;
  dataChannelAtMs?: number;
  private readonly waiters = new Set<() => void>();

  constructor(readonly pc: PeerConnection) {
    pc.iceConnectionStateChange.subscribe((state) => {
      // werift emits "completed" when its own gathering ends, before any check ran; it says
      // nothing about connectivity and would read as success in the timeline.
      if (state === "completed" && !this.iceStates.some((s) => s.state === "connected")) return;
      this.iceStates.push({ state, atMs: this.elapsed() });
      if (state === "connected" && this.connectedAtMs === undefined) this.connectedAtMs = this.elapsed();
      for (const wake of this.waiters) wake();
    });
  }

  elapsed(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  /** Resolves true once ICE is connected, false when the bound passes first (werift never says "failed"). */
  waitIceConnected(timeoutMs: number): Promise<boolean> {
    if (this.connectedAtMs !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      const check = () => {
        if (this.connectedAtMs !== undefined) done(true);
      };
      const timer = setTimeout(() => done(false), Math.max(1, timeoutMs));
      this.waiters.add(check);
    });
  }

  /** Resolves true once the channel is open, false when the bound passes first or the connection failed (DTLS did). */
  async waitOpen(channel: DataChannel, timeoutMs: number): Promise<boolean> {
    if (channel.readyState !== "open") {
      const subs: { unSubscribe(): void }[] = [];
      const opened = new Promise<boolean>((resolve) => {
        subs.push(
          channel.stateChanged.subscribe((state) => {
            if (state === "open") resolve(true);
          }),
          // A DTLS handshake that failed (a fingerprint mismatch, an alert) does not come back: no need to wait out the bound.
          this.pc.connectionStateChange.subscribe((state) => {
            if (state === "failed") resolve(false);
          }),
        );
      });
      let open = false;
      const settled = await bounded(opened.then((v) => (open = v)), Math.max(1, timeoutMs));
      for (const sub of subs) sub.unSubscribe();
      if (!settled || !open) return false;
    }
    this.dataChannelAtMs ??= this.elapsed();
    return true;
  }
}

/** Between two echo messages: far apart enough that none waits in a queue behind another. */
export const ECHO_SPACING_MS = 20;

export interface EchoResult {
  sent: number;
  /** Round trip of each message that came back, in the order they came. */
  rtts: number[];
}

/**
 * Sends `count` numbered messages, each once the one before came back or ECHO_SPACING_MS after it,
 * whichever is first, and times each one's echo, waiting at most `timeoutMs` after the last one for
 * what is still out. One after another, five echoes cost five round trips (a second on a relay 200 ms
 * away); this way about one on a slow path and no more than one after another on a fast one, and
 * each still times its own round trip. A message that is not echoed does not stop the others (its
 * loss is a figure).
 */
export async function measureEcho(channel: DataChannel, count: number, timeoutMs: number): Promise<EchoResult> {
  const out = new Map<string, number>();
  const rtts: number[] = [];
  let sent = 0;
  let allBack: (() => void) | undefined;
  let echoed: (() => void) | undefined;
  const sub = channel.onMessage.subscribe((data) => {
    const text = data.toString();
    const sentAt = out.get(text);
    if (sentAt === undefined) return;
    out.delete(text);
    rtts.push(performance.now() - sentAt);
    echoed?.();
    if (out.size === 0 && sent === count) allBack?.();
  });
  try {
    for (let seq = 0; seq < count; seq += 1) {
      if (seq > 0 && out.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          echoed = resolve;
          timer = setTimeout(resolve, ECHO_SPACING_MS);
        });
        clearTimeout(timer);
        echoed = undefined;
      }
      if (channel.readyState !== "open") break;
      const text = `${ECHO_PREFIX}${seq}`;
      out.set(text, performance.now());
      channel.send(text);
      sent += 1;
    }
    if (out.size > 0 && sent === count) await bounded(new Promise<void>((resolve) => (allBack = resolve)), Math.max(1, timeoutMs));
  } catch {
    // A channel that closed under the send: what came back is the result.
  } finally {
    sub.unSubscribe();
  }
  return { sent, rtts };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(value * 100) / 100;
}

export interface AttemptTimeouts {
  /** Bound on ICE + DTLS + data channel after the descriptions are exchanged. */
  connectTimeoutMs: number;
  /** Echo messages to time (0 skips the echo). */
  echoCount: number;
  /** Wall time of the quality flood once the channel is open (0 or absent skips it). */
  qualityDurationMs?: number;
}

/**
 * Bound on opening the flood's channel on a connection that is up, from the end of the echo: one
 * DCEP round trip, or a few where werift's SCTP (RTO at least 1 s) must resend a lost OPEN or ACK.
 */
const QUALITY_OPEN_TIMEOUT_MS = 5000;

/**
 * Everything after the descriptions were exchanged: wait for ICE, DTLS and the data channel, time
 * the echo, read the pair stats. Fills the outcome fields of `fact`; never throws.
 */
export async function completeAttempt(
  recorder: AttemptRecorder,
  channel: DataChannel,
  fact: ConnectivityFact,
  timeouts: AttemptTimeouts,
): Promise<void> {
  const deadline = performance.now() + timeouts.connectTimeoutMs;
  const left = () => Math.max(1, deadline - performance.now());
  let stalledIn: ConnectStage | undefined;
  let open = false;
  if (!(await recorder.waitIceConnected(left()))) stalledIn = "checking";
  else open = await recorder.waitOpen(channel, left());

  const stats = await readPairStats(recorder.pc);
  if (stalledIn === undefined && !open) stalledIn = stats.dtlsState === "connected" ? "data-channel" : "dtls";
  const qualityMs = timeouts.qualityDurationMs ?? 0;
  // Opened now, its DCEP round trip runs alongside the echo.
  const qualityChannel = open && qualityMs > 0 ? openQualityChannel(recorder.pc) : undefined;
  // The echo and the flood's voice-like stream run side by side: on a path 100 ms away the echo's
  // five round trips are half a second the check need not wait twice.
  const echo = open && timeouts.echoCount > 0 ? measureEcho(channel, timeouts.echoCount, Math.min(left(), 2000)) : undefined;
  const quality = open && qualityMs > 0 ? measureQuality(qualityChannel, qualityMs, QUALITY_OPEN_TIMEOUT_MS, echo) : undefined;
  if (echo) {
    const { sent, rtts } = await echo;
    fact.echo = { sent, received: rtts.length };
    const rtt = median(rtts);
    if (rtt !== undefined) fact.rttMs = rtt;
  }
  if (quality) fact.quality = await quality;
  fact.ok = open;
  fact.iceStates = [...recorder.iceStates];
  fact.pairs = stats.pairs;
  if (stats.omitted) fact.pairsOmitted = stats.omitted;
  if (stats.selected) fact.selectedPair = stats.selected;
  if (stats.dtlsState) fact.dtlsState = stats.dtlsState;
  if (recorder.connectedAtMs !== undefined) fact.timeToConnectedMs = recorder.connectedAtMs;
  if (recorder.dataChannelAtMs !== undefined) fact.timeToDataChannelMs = recorder.dataChannelAtMs;
  if (stalledIn) fact.stalledIn = stalledIn;
}
