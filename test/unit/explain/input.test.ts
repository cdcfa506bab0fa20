import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeExplainInput, sizeText } from "../../../src/explain/input.js";
import { ExplainInputError } from "../../../src/explain/errors.js";
import { explain } from "../../../src/explain/explain.js";
import { readCapped, readExplainInput } from "../../../src/cli/explain-input.js";
import { ConfigError } from "../../../src/config/errors.js";

const fixtures = new URL("../../fixtures/webrtc-internals/", import.meta.url);
const bytes = (name: string) => readFileSync(new URL(name, fixtures));
const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-explain-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real pipe: a child process writing `size` bytes to its stdout in chunks, as `cat big.txt |` does; a reader that stops makes it exit. */
function pipeOf(size: number) {
  const child = spawn(process.execPath, ["-e", `process.stdout.on("error", () => process.exit(0)); const b = Buffer.alloc(${size}, 0x20); let at = 0; (function w() { while (at < b.length) { const end = Math.min(at + 65536, b.length); const ok = process.stdout.write(b.subarray(at, end)); at = end; if (!ok) return process.stdout.once("drain", w); } })();`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return child.stdout;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("explain input bytes: gzip by its magic bytes, whatever the name", () => {
  it("Chrome's default download (.gz) decodes to the dump", () => {
    const gz = bytes("chrome-healthy.gz");
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const text = decodeExplainInput(gz);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(expect.arrayContaining(["PeerConnections", "UserAgent"]));
  });

  it("text passes as it is, and explain() takes the bytes of either download", () => {
    expect(decodeExplainInput(Buffer.from("v=0\r\n"))).toBe("v=0\r\n");
    for (const name of ["chrome-healthy.gz", "chrome-healthy.txt"]) expect(explain(bytes(name)).kind).toBe("webrtc-internals");
  });

  it("a cut-short gzip, corrupt gzip, a zip archive: one line each", () => {
    const gz = bytes("chrome-healthy.gz");
    expect(errorOf(() => decodeExplainInput(gz.subarray(0, 1000)))).toEqual(new ExplainInputError("input starts like gzip but does not decompress (the file is cut short)"));
    const corrupt = Buffer.from(gz);
    corrupt.fill(0xff, 20, 60);
    expect((errorOf(() => decodeExplainInput(corrupt)) as Error).message).toMatch(/^input starts like gzip but does not decompress \(\w+\)$/);
    expect(errorOf(() => decodeExplainInput(Buffer.from("PK\x03\x04rest")))).toEqual(new ExplainInputError("input is a zip archive: unzip it and give the dump inside"));
  });

  it("what a gzip expands to has the input bound: a small file cannot become gigabytes", () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(16 * 1024);
    expect(errorOf(() => decodeExplainInput(bomb, 1024 * 1024))).toEqual(new ExplainInputError("gzip-compressed input expands to more than 1 MiB, the most explain reads"));
    expect(decodeExplainInput(bomb, 4 * 1024 * 1024)).toHaveLength(4 * 1024 * 1024);
  });

  it("states bounds in their unit", () => {
    expect([sizeText(256 * 1024 * 1024), sizeText(64 * 1024), sizeText(1000)]).toEqual(["256 MiB", "64 KiB", "1000 bytes"]);
  });
});

describe("reading explain input from a pipe or a file", () => {
  it("reads a pipe far past the 64 KiB a pipe buffers", async () => {
    const read = await readCapped(pipeOf(3 * 1024 * 1024 + 17), "standard input", 4 * 1024 * 1024);
    expect(read.length).toBe(3 * 1024 * 1024 + 17);
  });

  it("past the bound: one line naming it, and the pipe is let go", async () => {
    await expect(readExplainInput("-", { stdin: pipeOf(1024 * 1024), limit: 256 * 1024 })).rejects.toEqual(new ConfigError("standard input: more than 256 KiB, the most explain reads"));
  });

  it("a file is checked by its size first; a missing one is named with its error code", async () => {
    const file = join(dir, "webrtc_internals_dump.txt");
    writeFileSync(file, Buffer.alloc(2048, 0x20));
    await expect(readExplainInput(file, { limit: 1024 })).rejects.toEqual(new ConfigError(`'${file}': 2048 bytes, more than 1 KiB, the most explain reads`));
    expect((await readExplainInput(file, { limit: 4096 })).length).toBe(2048);
    await expect(readExplainInput(join(dir, "missing.gz"))).rejects.toEqual(new ConfigError(`cannot read '${join(dir, "missing.gz")}' (ENOENT)`));
  });
});
