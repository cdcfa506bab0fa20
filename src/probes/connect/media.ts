import type { ConnectivityFact } from "../../facts/connectivity.js";
import type { MediaFact } from "../../facts/media.js";
import { startAudioProbe, type AudioProbe } from "../../webrtc/audio-probe.js";
import { observeDtls, type DtlsObserver } from "../../webrtc/dtls-observer.js";
import { opusFrames } from "../../webrtc/opus-frames.js";
import { loadWerift, type PeerConnection } from "../../webrtc/peer.js";

/** Audio goes out for at least this long once DTLS connects. */
export const MEDIA_MS = 1000;
/**
 * ... and on until the far side's receiver reports count it and its own audio arrived, for at most
 * this long: libwebrtc sends its first audio report 1-3 s after the first packet (measured here).
 */
export const MEDIA_MAX_MS = 6000;

type Transceiver = ReturnType<PeerConnection["addTransceiver"]>;

/**
 * The remote attempt's audio and DTLS: watched from before the offer leaves, audio sent from DTLS
 * connected, read back after the data-channel measurements. Every step is safe to skip; none throws.
 */
export class MediaWatch {
  private readonly dtls: DtlsObserver;
  private audio?: AudioProbe;

  constructor(
    pc: PeerConnection,
    private readonly transceiver: Transceiver,
    private readonly direction: MediaFact["offeredDirection"],
    private readonly startedAt: number,
  ) {
    this.dtls = observeDtls(pc, startedAt);
    // Encoding the frames costs ~60 ms of CPU: spent now, while the network is busy gathering, not when DTLS connects.
    try {
      opusFrames();
    } catch {
      // Without an encoder the probe sends nothing, and the fact shows it.
    }
  }

  /** Call once the answer is applied. */
  async answered(): Promise<void> {
    const werift = await loadWerift();
    this.audio = startAudioProbe(werift, this.transceiver, this.direction, this.startedAt);
  }

  /** Fills `fact.media` (when audio was set up) once both directions are shown, or the bound passed. */
  async finish(fact: ConnectivityFact, mediaMs = MEDIA_MS): Promise<void> {
    if (!this.audio) return;
    const media = await this.audio.finish(mediaMs, Math.max(mediaMs, MEDIA_MAX_MS));
    const answered = fact.signalling?.answer?.media.find((m) => m.kind === "audio")?.direction;
    if (answered) media.answeredDirection = answered;
    fact.media = media;
  }

  /** Fills `fact.dtls` and lets go of everything; call whatever happened. */
  close(fact: ConnectivityFact): void {
    this.audio?.stop();
    // A DTLS transport that never started (ICE did not connect) tells nothing DTLS-specific.
    const dtls = this.dtls.fact();
    if (dtls.startedAtMs !== undefined || dtls.datagramsReceived > 0 || dtls.state !== "new") fact.dtls = dtls;
    this.dtls.stop();
  }
}
