import { createRequire } from "node:module";

/** Opus at 48 kHz (RFC 7587: the RTP clock is always 48000), 20 ms per frame as browsers send it. */
export const OPUS_CLOCK_RATE = 48_000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (OPUS_CLOCK_RATE * FRAME_MS) / 1000;

/** One second of tone: 440 Hz fits a whole number of cycles into it, so the loop joins without a click. */
const TONE_HZ = 440;
const LOOP_FRAMES = 1000 / FRAME_MS;
/** About -12 dBFS: real speech level, so a far side's voice-activity detection counts it as audio. */
const AMPLITUDE = 8000;

interface OpusEncoder {
  encode(pcm: Buffer, frameSize: number): Buffer;
  delete(): void;
}
interface OpusScriptClass {
  new (rate: number, channels: number, application: number): OpusEncoder;
  Application: { VOIP: number };
}

let frames: Buffer[] | undefined;

/**
 * A second of a 440 Hz tone as real Opus frames, encoded once per process with libopus (opusscript,
 * wasm) and then sent in a loop: a far side decodes them as it would a browser's microphone.
 */
export function opusToneFrames(): Buffer[] {
  if (frames) return frames;
  const OpusScript = createRequire(import.meta.url)("opusscript") as OpusScriptClass;
  const encoder = new OpusScript(OPUS_CLOCK_RATE, 1, OpusScript.Application.VOIP);
  try {
    const encoded: Buffer[] = [];
    for (let f = 0; f < LOOP_FRAMES; f += 1) {
      const pcm = Buffer.alloc(SAMPLES_PER_FRAME * 2);
      for (let i = 0; i < SAMPLES_PER_FRAME; i += 1) {
        const t = (f * SAMPLES_PER_FRAME + i) / OPUS_CLOCK_RATE;
        pcm.writeInt16LE(Math.round(AMPLITUDE * Math.sin(2 * Math.PI * TONE_HZ * t)), i * 2);
      }
      encoded.push(Buffer.from(encoder.encode(pcm, SAMPLES_PER_FRAME)));
    }
    frames = encoded;
    return encoded;
  } finally {
    encoder.delete();
  }
}
