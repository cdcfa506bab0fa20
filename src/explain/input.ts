import { gunzipSync } from "node:zlib";
import { MAX_EXPLAIN_INPUT_BYTES } from "../config/limits.js";
import { ExplainInputError } from "./errors.js";

/** "256 MiB", "64 KiB": a bound in the unit people think of it in. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The text of an explain input given as bytes. Chrome's "Create Dump" downloads gzip by default
 * (webrtc_internals_dump.gz), and people rename files: gzip is recognised by its magic bytes, never by
 * the name. The decompressed size has the same bound as a plain input, so a small file cannot expand
 * into gigabytes.
 */
export function decodeExplainInput(bytes: Uint8Array, limit = MAX_EXPLAIN_INPUT_BYTES): string {
  let plain = bytes;
  if (isGzip(bytes)) {
    try {
      plain = gunzipSync(bytes, { maxOutputLength: limit + 1 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ERR_BUFFER_TOO_LARGE") throw new ExplainInputError(`gzip-compressed input expands to more than ${sizeText(limit)}, the most explain reads`);
      throw new ExplainInputError(`input starts like gzip but does not decompress (${code === "Z_BUF_ERROR" ? "the file is cut short" : (code ?? "corrupt data")})`);
    }
    if (plain.length > limit) throw new ExplainInputError(`gzip-compressed input expands to more than ${sizeText(limit)}, the most explain reads`);
  } else if (isZip(bytes)) {
    throw new ExplainInputError("input is a zip archive: unzip it and give the dump inside");
  }
  return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString("utf8");
}
