import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import { shownValue } from "../config/json-input.js";
import { MAX_EXPLAIN_INPUT_BYTES } from "../config/limits.js";
import { ConfigError } from "../config/errors.js";
import { sizeText } from "../explain/input.js";

/**
 * Everything a stream holds, up to `limit` bytes; past it, the stream is dropped and the error says
 * so. Reading as a stream (not readFileSync(0)) is what makes a pipe of any size work: a pipe's
 * descriptor may be non-blocking, and a synchronous read of it ends in EAGAIN once the writer is
 * slower than the reader, typically past the pipe buffer's 64 KiB.
 */
export async function readCapped(stream: Readable, what: string, limit = MAX_EXPLAIN_INPUT_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > limit) {
      stream.destroy();
      throw new ConfigError(`${what}: more than ${sizeText(limit)}, the most explain reads`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** The bytes of an explain input: a file (checked by size first: a wrong path can name a disk image) or `-` for standard input. */
export async function readExplainInput(file: string, options: { stdin?: Readable; limit?: number } = {}): Promise<Buffer> {
  const name = file === "-" ? "standard input" : `'${shownValue(file)}'`;
  const limit = options.limit ?? MAX_EXPLAIN_INPUT_BYTES;
  try {
    if (file === "-") return await readCapped(options.stdin ?? process.stdin, name, limit);
    const { size } = statSync(file);
    if (size > limit) throw new ConfigError(`${name}: ${size} bytes, more than ${sizeText(limit)}, the most explain reads`);
    // A FIFO or /dev/fd/N (`explain <(zcat dump.gz)`) has no size to check: the stream bound holds there.
    return await readCapped(createReadStream(file), name, limit);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}
