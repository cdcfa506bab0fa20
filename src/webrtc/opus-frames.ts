import { createRequire } from "node:module";

/** Opus at 48 kHz (RFC 7587: the RTP clock is always 48000), 20 ms per frame as browsers send it. */
export const OPUS_CLOCK_RATE = 48_000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (OPUS_CLOCK_RATE * FRAME_MS) / 1000;

const LOOP_FRAMES = 1000 / FRAME_MS;
/**
 * About -60 dBFS of white noise: room tone. A far side under test is often a voice bot whose
 * voice-activity detection would take a tone or speech for a caller talking (and interrupt itself,
 * or start a turn); this level it ignores, yet libopus encodes it as ordinary voice frames
 * (~100 bytes each, measured), not as the few bytes of digital silence.
 */
const AMPLITUDE = 30;

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
 * A second of room tone as real Opus frames, encoded once per process with libopus (opusscript,
 * wasm) and then sent in a loop: a far side decodes them as it would a browser's microphone.
 */
export function opusFrames(): Buffer[] {
  if (frames) return frames;
  const OpusScript = createRequire(import.meta.url)("opusscript") as OpusScriptClass;
  const encoder = new OpusScript(OPUS_CLOCK_RATE, 1, OpusScript.Application.VOIP);
  try {
    // A fixed linear congruential sequence: the same frames every run.
    let seed = 0x2545f491;
    const encoded: Buffer[] = [];
    for (let f = 0; f < LOOP_FRAMES; f += 1) {
      const pcm = Buffer.alloc(SAMPLES_PER_FRAME * 2);
      for (let i = 0; i < SAMPLES_PER_FRAME; i += 1) {
        seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
        pcm.writeInt16LE(Math.round(AMPLITUDE * ((seed / 0x7fffffff) * 2 - 1)), i * 2);
      }
      encoded.push(Buffer.from(encoder.encode(pcm, SAMPLES_PER_FRAME)));
    }
    frames = encoded;
    return encoded;
  } finally {
    encoder.delete();
  }
}
