import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { ConfigError } from "../config/errors.js";
import { describeSchemaError } from "../config/config-file.js";
import { parseJsonInput } from "../config/json-input.js";
import { MAX_CONFIG_JSON_BYTES } from "../config/limits.js";
import { compileSchema } from "../json-schema.js";
import { MAX_QUALITY_DURATION_MS } from "../config/defaults.js";
import { parseDuration } from "./duration.js";
import { DEFAULT_MODULE_TIMEOUT_MS, DEFAULT_REST_TTL_SEC, type ExporterModule, type TurnModuleCredentials } from "./module.js";

interface RawModule {
  timeout?: string;
  connect?: boolean;
  quality?: string;
  nat?: boolean;
  turn?: { username?: string; credential?: string; credential_env?: string; secret?: string; secret_env?: string; ttl?: string; user?: string };
  tls?: { ca_file?: string; fail_if_not_verified?: boolean; fail_if_expires_within?: string };
}

let validator: ValidateFunction | undefined;
function validate(value: unknown): ErrorObject[] {
  validator ??= compileSchema("schema/exporter-modules.schema.json", { allErrors: false, strict: true, verbose: true });
  return validator(value) ? [] : (validator.errors ?? []);
}

/** "/modules/a.b/turn" -> "modules.a.b.turn": module names may hold dots, but a person reads it either way. */
function keyOf(pointer: string, child?: string): string {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.join(".") || "(top level)";
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  if (error.keyword === "pattern" && error.propertyName !== undefined) {
    return `${keyOf(error.instancePath, error.propertyName)}: a module name has 1 to 64 letters, digits, '_', '.' or '-'`;
  }
  if (error.keyword === "pattern") return `${keyOf(error.instancePath)}: expected ${description ?? `a value matching ${String(params["pattern"])}`}`;
  if (error.keyword === "minProperties") return `${keyOf(error.instancePath)}: must not be empty`;
  if (error.keyword === "minLength") return `${keyOf(error.instancePath)}: must not be empty`;
  return describeSchemaError(error);
}

/** YAML's own messages quote the offending line, which may hold a secret: say where, never what. */
async function parseYaml(text: string, shown: string): Promise<unknown> {
  const { parseDocument } = await import("yaml");
  // prettyErrors fills linePos (and quotes the line into the message, which is never shown).
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw new ConfigError(`${shown}: not valid YAML (${error.code.toLowerCase().replace(/_/g, " ")}${at ? ` at line ${at.line}, column ${at.col}` : ""})`);
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/**
 * The modules file (YAML, or JSON by its .json name), validated against
 * schema/exporter-modules.schema.json. Every error names the file and the key, and none the
 * value; credentials named by *_env are read from `env` here, so a missing one stops the start.
 */
export async function loadModulesFile(path: string, env: NodeJS.ProcessEnv): Promise<Map<string, ExporterModule>> {
  const shown = path;
  const absolute = resolve(path);
  let text: string;
  try {
    const size = statSync(absolute).size;
    if (size > MAX_CONFIG_JSON_BYTES) throw new ConfigError(`${shown}: ${size} bytes; a modules file may have at most ${MAX_CONFIG_JSON_BYTES}`);
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${shown}: cannot read the modules file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const data = /\.json$/i.test(path) ? parseJsonInput(text, (why) => new ConfigError(`${shown}: ${why}`)) : await parseYaml(text, shown);
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new ConfigError(`${shown}: expected a mapping with a "modules" key`);
  const errors = validate(data);
  if (errors[0]) throw new ConfigError(`${shown}: ${describe(errors[0])}`);
  const modules = new Map<string, ExporterModule>();
  for (const [name, raw] of Object.entries((data as { modules: Record<string, RawModule> }).modules)) {
    modules.set(name, interpret(name, raw, { shown, dir: dirname(absolute), env }));
  }
  return modules;
}

interface Where {
  shown: string;
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** What the schema cannot say: durations in range, one kind of credential, variables that are set, files that read. */
function interpret(name: string, raw: RawModule, where: Where): ExporterModule {
  const key = (k: string) => `${where.shown}: modules.${name}.${k}`;
  const duration = (k: string, value: string | undefined, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const ms = parseDuration(value);
    if (ms === undefined || ms < min || ms > max) throw new ConfigError(`${key(k)}: must be from ${min} ms to ${max / 1000} s`);
    return ms;
  };
  const module: ExporterModule = {
    name,
    timeoutMs: duration("timeout", raw.timeout, 100, 600_000) ?? DEFAULT_MODULE_TIMEOUT_MS,
    nat: raw.nat === true,
    tls: { failIfNotVerified: raw.tls?.fail_if_not_verified !== false },
  };
  if (raw.connect !== undefined) module.connect = raw.connect;
  const quality = duration("quality", raw.quality, 0, MAX_QUALITY_DURATION_MS);
  if (quality !== undefined) module.qualityMs = quality;
  const within = duration("tls.fail_if_expires_within", raw.tls?.fail_if_expires_within, 0, 3650 * 86_400_000);
  if (within !== undefined) module.tls.failIfExpiresWithinMs = within;
  if (raw.tls?.ca_file !== undefined) {
    try {
      module.tls.ca = readFileSync(resolve(where.dir, raw.tls.ca_file), "utf8");
    } catch (error) {
      throw new ConfigError(`${key("tls.ca_file")}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (raw.turn) module.turn = turnCredentials(raw.turn, key, where.env, duration);
  return module;
}

function turnCredentials(
  turn: NonNullable<RawModule["turn"]>,
  key: (k: string) => string,
  env: NodeJS.ProcessEnv,
  duration: (k: string, value: string | undefined, min: number, max: number) => number | undefined,
): TurnModuleCredentials | undefined {
  const fromEnv = (k: string, variable: string | undefined): string | undefined => {
    if (variable === undefined) return undefined;
    const value = env[variable];
    if (value === undefined || value === "") throw new ConfigError(`${key(k)}: the environment variable ${variable} is not set`);
    return value;
  };
  if (turn.credential !== undefined && turn.credential_env !== undefined) throw new ConfigError(`${key("turn")}: give credential or credential_env, not both`);
  if (turn.secret !== undefined && turn.secret_env !== undefined) throw new ConfigError(`${key("turn")}: give secret or secret_env, not both`);
  const credential = turn.credential ?? fromEnv("turn.credential_env", turn.credential_env);
  const secret = turn.secret ?? fromEnv("turn.secret_env", turn.secret_env);
  if (credential !== undefined && secret !== undefined) throw new ConfigError(`${key("turn")}: give a credential or a TURN REST secret, not both`);
  if (secret !== undefined) {
    if (turn.username !== undefined) throw new ConfigError(`${key("turn.username")}: minted from the secret; give the user part as turn.user instead`);
    const ttlMs = duration("turn.ttl", turn.ttl, 1000, 365 * 86_400_000);
    return { kind: "rest", secret, ttlSec: ttlMs === undefined ? DEFAULT_REST_TTL_SEC : Math.round(ttlMs / 1000), ...(turn.user !== undefined ? { user: turn.user } : {}) };
  }
  if (turn.ttl !== undefined || turn.user !== undefined) throw new ConfigError(`${key("turn")}: ttl and user apply to a TURN REST secret (secret or secret_env)`);
  if (credential === undefined && turn.username === undefined) return undefined;
  if (turn.username === undefined) throw new ConfigError(`${key("turn.username")}: missing (the credential needs it)`);
  if (credential === undefined) throw new ConfigError(`${key("turn")}: username needs credential or credential_env`);
  return { kind: "static", username: turn.username, credential };
}
