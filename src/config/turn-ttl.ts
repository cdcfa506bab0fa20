import { ConfigError } from "./errors.js";

// Apart from the minting in turn-rest.ts: the CLI parses --turn-ttl on every run, and node:crypto
// costs more to load than the rest of the command line together.
export function parseTtl(value: string, what = "{option:turnTtlSec}"): number {
  if (!/^-?\d{1,9}$/.test(value.trim())) throw new ConfigError(`${what} must be a whole number of seconds (negative mints expired credentials)`);
  return Number(value);
}
