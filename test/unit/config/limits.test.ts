import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { resolveIceServers } from "../../../src/config/ice-servers.js";
import { loadConfigFile } from "../../../src/config/config-file.js";
import { nestingDepth } from "../../../src/config/json-input.js";
import { MAX_CONFIG_JSON_BYTES, MAX_ICE_SERVERS, MAX_JSON_DEPTH, MAX_TARGETS, MAX_URLS_PER_ICE_SERVER } from "../../../src/config/limits.js";
import { explain } from "../../../src/explain/explain.js";
import { ExplainInputError } from "../../../src/explain/errors.js";

const deep = (levels: number, inner = "{}") => `${'{"a":'.repeat(levels - 1)}${inner}${"}".repeat(levels - 1)}`;
const servers = (n: number, urls = 1) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ urls: Array.from({ length: urls }, (_, j) => `stun:s${i}-${j}.example`) })));

describe("input limits: one clear error, never a stack overflow", () => {
  it("counts nesting without recursion, and stops counting past the limit", () => {
    expect(nestingDepth(JSON.parse(deep(3)), 64)).toBe(3);
    expect(nestingDepth([1, [2, [3]]], 64)).toBe(3);
    expect(nestingDepth("text", 64)).toBe(0);
    // 100,000 levels: JSON.parse copes, anything recursive over it would not.
    expect(nestingDepth(JSON.parse(deep(100_000)), 64)).toBe(65);
  });

  it("refuses JSON nested too deeply, in ICE servers, config files and explain input", () => {
    expect(() => resolveIceServers({ iceServers: `[{"urls":"stun:a.example","x":${deep(MAX_JSON_DEPTH)}}]` })).toThrow(new ConfigError(`{option:iceServers}: nested more than ${MAX_JSON_DEPTH} levels deep`));
    const dir = mkdtempSync(join(tmpdir(), "rtcd-limits-"));
    writeFileSync(join(dir, "deep.json"), deep(100_000));
    expect(() => loadConfigFile({ path: join(dir, "deep.json"), cwd: dir, env: {} })).toThrow(/nested more than 64 levels deep/);
    const dump = `{"PeerConnections":{"1-1":{"rtcConfiguration":${deep(100_000)},"updateLog":[]}}}`;
    expect(() => explain(dump)).toThrow(new ExplainInputError(`input is nested more than ${MAX_JSON_DEPTH} levels deep`));
  });

  it("refuses too many servers, URLs per server and targets in all", () => {
    expect(resolveIceServers({ iceServers: servers(MAX_ICE_SERVERS) }).targets).toHaveLength(MAX_ICE_SERVERS);
    expect(() => resolveIceServers({ iceServers: servers(160_000) })).toThrow(/: (160000 entries; at most 256 are accepted|\d+ bytes; at most \d+ are read)$/);
    expect(() => resolveIceServers({ iceServers: servers(MAX_ICE_SERVERS + 1) })).toThrow(`\`iceServers\`: ${MAX_ICE_SERVERS + 1} entries; at most ${MAX_ICE_SERVERS} are accepted`);
    expect(() => resolveIceServers({ iceServers: servers(1, MAX_URLS_PER_ICE_SERVER + 1) })).toThrow(`\`iceServers\`[0].urls: ${MAX_URLS_PER_ICE_SERVER + 1} URLs; at most ${MAX_URLS_PER_ICE_SERVER} are accepted`);
    const env = { RTC_DOCTOR_ICE_SERVERS: JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ urls: `stun:e${i}.example` }))) };
    expect(() => resolveIceServers({ iceServers: servers(100), env })).toThrow(`300 ICE server URLs in all; at most ${MAX_TARGETS} are probed in one run`);
  });

  it("refuses inputs larger than they can sensibly be, before parsing them", () => {
    const big = `[${" ".repeat(MAX_CONFIG_JSON_BYTES)}]`;
    expect(() => resolveIceServers({ iceServers: big })).toThrow(`\`iceServers\`: ${MAX_CONFIG_JSON_BYTES + 2} bytes; at most ${MAX_CONFIG_JSON_BYTES} are read`);
    const dir = mkdtempSync(join(tmpdir(), "rtcd-limits-"));
    writeFileSync(join(dir, "big.json"), big);
    expect(() => loadConfigFile({ path: join(dir, "big.json"), cwd: dir, env: {} })).toThrow(/bytes; a config file may have at most 1048576$/);
  });
});
