import { apiOptionName, type OptionNamer } from "../config/option-words.js";
import type { CheckOptions } from "../check.js";
import type { ExplainOptions } from "../explain/explain.js";
import type { RemoteTarget } from "../probes/connect/phase.js";

/** What a token may name: an option of check() or explain(), or a field of the remote target. */
type OptionPath = keyof CheckOptions | keyof ExplainOptions | `remote.${keyof RemoteTarget}`;

/**
 * How the CLI says each option the library's text names with {option:NAME}: its flag, as a person
 * types it. Booleans that default to on are named by the flag that turns them off.
 */
export const CLI_FLAGS: Readonly<Partial<Record<OptionPath, string>>> = {
  stun: "--stun",
  turn: "--turn",
  username: "--username",
  credential: "--credential",
  turnSecret: "--turn-secret",
  turnTtlSec: "--turn-ttl",
  turnUser: "--turn-user",
  iceServers: "--ice-servers",
  tlsCa: "--ca FILE",
  nat: "--no-nat",
  expect: "--expect",
  failOn: "--fail-on",
  remote: "--signal URL",
  "remote.protocol": "--protocol whip|pipecat",
  "remote.restart": "--restart",
  signalTimeoutMs: "--signal-timeout MS",
  qualityDurationMs: "--quality MS",
  peerConnection: "--peer-connection",
};

export const cliOptionName: OptionNamer = (name) => CLI_FLAGS[name as OptionPath] ?? apiOptionName(name);
