import type { Command } from "commander";
import { ConfigError } from "../config/errors.js";
import { SECRET_ENV, type FileConfig } from "../config/config-file.js";

const TURN_AUTH = ["credential", "turnSecret"];

/**
 * Fills every option the command line left at its default from the config file: flags override the
 * file key by key, and a secret in the environment overrides the file (flag > environment > file).
 */
export function applyConfigFile(command: Command, file: FileConfig, env: NodeJS.ProcessEnv): void {
  const given = (key: string) => {
    const source = command.getOptionValueSource(key);
    return source === "cli" || source === "env";
  };
  const fromEnv = (key: string) => {
    const name = SECRET_ENV[key];
    return name !== undefined && env[name] !== undefined && env[name] !== "";
  };
  // A TURN credential and a REST secret exclude each other: one given outside the file replaces both in it.
  const turnAuthOutside = TURN_AUTH.some((k) => given(k) || fromEnv(k));
  const known = new Set(command.options.map((o) => o.attributeName()));
  for (const [key, value] of Object.entries(file.values)) {
    if (!known.has(key)) throw new ConfigError(`${file.path}: ${key}: not supported by '${command.name()}' in this version`);
    if (given(key) || fromEnv(key) || (TURN_AUTH.includes(key) && turnAuthOutside)) continue;
    command.setOptionValueWithSource(key, value, "config");
  }
}
