import { parseJsonInput } from "./json-input.js";
import { MAX_CONFIG_JSON_BYTES } from "./limits.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { compileSchema } from "../json-schema.js";
import { ConfigError } from "./errors.js";
import { parseIceUrl } from "./ice-url.js";
import { parseExpectation } from "./expectations.js";
import { normaliseIceServer } from "./ice-servers.js";
import type { RTCIceServerInput, RTCIceServerLike } from "./types.js";

export const CONFIG_FILE_NAME = "rtc-doctor.config.json";

/** Secret keys and the variables that win over them (flag > environment > file). */
export const SECRET_ENV: Readonly<Record<string, string>> = {
  credential: "RTC_DOCTOR_TURN_CREDENTIAL",
  turnSecret: "RTC_DOCTOR_TURN_SECRET",
  token: "RTC_DOCTOR_TOKEN",
};

export interface FileConfig {
  /** The path as the user would recognise it in a message. */
  path: string;
  /** Values keyed like the command's options (camelCase flag names), paths made absolute. */
  values: Record<string, unknown>;
  /** The file's iceServers, credentials filled from RTC_DOCTOR_TURN_CREDENTIAL where absent. */
  iceServers?: RTCIceServerLike[];
}

let validator: ValidateFunction | undefined;
function validate(value: unknown): ErrorObject[] {
  validator ??= compileSchema("schema/config.schema.json", { allErrors: false, strict: true, verbose: true });
  return validator(value) ? [] : (validator.errors ?? []);
}

/** "/iceServers/1/urls" -> "iceServers[1].urls", the way the key is written in the file. */
function keyPath(pointer: string, child?: string): string {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out === "" ? part : `${out}.${part}`), "") || "(top level)";
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  array: "an array",
  object: "an object",
};

/** One schema error as "key.path: what was expected", naming the key and never its value. */
export function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter((k) => k !== "$schema");
      return `${keyPath(error.instancePath, String(params["additionalProperty"]))}: unknown key (known keys: ${known.join(", ")})`;
    }
    case "type":
      return `${keyPath(error.instancePath)}: expected ${TYPE_NAMES[String(params["type"])] ?? String(params["type"])}`;
    case "enum":
      return `${keyPath(error.instancePath)}: expected one of ${(params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "anyOf":
    case "oneOf":
      return `${keyPath(error.instancePath)}: expected ${(error.parentSchema as { description?: string } | undefined)?.description ?? "a different value"}`;
    case "required":
      return `${keyPath(error.instancePath, String(params["missingProperty"]))}: missing`;
    case "minItems":
      return `${keyPath(error.instancePath)}: must not be empty`;
    default:
      return `${keyPath(error.instancePath)}: ${error.message ?? "invalid"}`;
  }
}

/** The file named by --config, else rtc-doctor.config.json in `cwd` when it exists, else nothing. */
export function loadConfigFile(options: { path?: string; cwd: string; env: NodeJS.ProcessEnv }): FileConfig | undefined {
  const shown = options.path ?? CONFIG_FILE_NAME;
  const absolute = resolve(options.cwd, shown);
  if (options.path === undefined && !existsSync(absolute)) return undefined;
  let text: string;
  try {
    const size = statSync(absolute).size;
    if (size > MAX_CONFIG_JSON_BYTES) throw new ConfigError(`${shown}: ${size} bytes; a config file may have at most ${MAX_CONFIG_JSON_BYTES}`);
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${shown}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const data = parseJsonInput(text, (why) => new ConfigError(`${shown}: ${why}`));
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new ConfigError(`${shown}: expected a JSON object`);
  const errors = validate(data);
  const first = errors.find((e) => e.keyword === "anyOf" || e.keyword === "oneOf") ?? errors[0];
  if (first) throw new ConfigError(`${shown}: ${describeSchemaError(first)}`);
  return interpret(data as Record<string, unknown>, shown, dirname(absolute), options.env);
}

/** What JSON Schema cannot say: URLs and expectations parse, and relative paths are the file's. */
function interpret(data: Record<string, unknown>, shown: string, dir: string, env: NodeJS.ProcessEnv): FileConfig {
  const at = (key: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${shown}: ${key}: ${error.message}`);
      throw error;
    }
  };
  const { $schema: _schema, iceServers: rawServers, ...values } = data;
  for (const key of ["stun", "turn"] as const) {
    (values[key] as string[] | undefined)?.forEach((url, i) => at(`${key}[${i}]`, () => parseIceUrl(url)));
  }
  (values["expect"] as string[] | undefined)?.forEach((e, i) => at(`expect[${i}]`, () => parseExpectation(e, "expectation")));
  for (const key of ["ca", "output"] as const) {
    if (typeof values[key] === "string") values[key] = resolve(dir, values[key]);
  }
  let iceServers: RTCIceServerLike[] | undefined;
  if (Array.isArray(rawServers)) {
    const envCredential = env["RTC_DOCTOR_TURN_CREDENTIAL"] || undefined;
    iceServers = (rawServers as RTCIceServerInput[]).map((input, i) => {
      const server = normaliseIceServer(input);
      server.urls.forEach((url, j) => at(`iceServers[${i}].urls${typeof input.urls === "string" ? "" : `[${j}]`}`, () => parseIceUrl(url)));
      const isTurn = server.urls.some((url) => parseIceUrl(url).isTurn);
      if (isTurn && server.credential === undefined && envCredential !== undefined) return { ...server, credential: envCredential };
      return server;
    });
  }
  return { path: shown, values, ...(iceServers ? { iceServers } : {}) };
}
