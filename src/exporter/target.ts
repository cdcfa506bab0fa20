import { ConfigError } from "../config/errors.js";
import { resolveIceServers } from "../config/ice-servers.js";
import { parseIceUrl } from "../config/ice-url.js";
import { shownValue } from "../config/json-input.js";
import type { IceServerTarget } from "../config/types.js";
import type { ExporterModule } from "./module.js";

export interface ProbeTarget {
  target: IceServerTarget;
  /** The credential and any REST secret: kept out of every answer and log line. */
  secrets: string[];
}

/**
 * The `target` parameter as one probe target with the module's credentials; TURN REST credentials
 * are minted here, fresh for each probe. Throws ConfigError for a target that is not an ICE URL
 * (the scrape gets a 400, as blackbox_exporter answers a bad target).
 */
export function probeTarget(raw: string, module: ExporterModule, now: Date): ProbeTarget {
  const url = parseIceUrl(raw);
  if (!url.isTurn) {
    const { targets } = resolveIceServers({ stun: [url.raw], env: {} });
    return { target: targets[0]!, secrets: [] };
  }
  const turn = module.turn;
  if (!turn) throw new ConfigError(`module '${shownValue(module.name)}' has no turn credentials for the TURN target '${shownValue(url.raw)}'`);
  const resolved =
    turn.kind === "static"
      ? resolveIceServers({ turn: [url.raw], username: turn.username, credential: turn.credential, env: {} })
      : resolveIceServers({ turn: [url.raw], turnSecret: turn.secret, turnTtlSec: turn.ttlSec, ...(turn.user !== undefined ? { turnUser: turn.user } : {}), now, env: {} });
  const target = resolved.targets[0]!;
  return { target, secrets: [...(target.credential ? [target.credential] : []), ...(resolved.secrets ?? [])] };
}
