import { formatHostPort } from "./ice-url.js";
import type { IceServerTarget, IceUrl } from "./types.js";

/** What makes two targets the same probe: the URL's parts, not its spelling, and the username. */
export function targetKey(url: IceUrl, username: string | undefined): string {
  return `${url.scheme}|${url.host.toLowerCase()}|${url.port}|${url.transport}|${username ?? ""}`;
}

/**
 * A target's id: its URL in one canonical spelling (scheme, host:port, transport), readable in a
 * report and stable across runs of the same configuration. The same URL with another username gets
 * "#2", "#3"... in configuration order. Never contains a credential: URLs carry none (RFC 7065).
 */
export function targetIdFor(url: IceUrl, taken: ReadonlySet<string>): string {
  const base = `${url.scheme}:${formatHostPort(url.host.toLowerCase(), url.port)}?transport=${url.transport === "tls" ? "tcp" : url.transport}`;
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}#${n}`)) n += 1;
  return `${base}#${n}`;
}

type Unidentified = Omit<IceServerTarget, "id">;

/** Gives each target an id that none of `already` (nor an earlier one of the list) has. */
export function withIds(targets: readonly Unidentified[], already: readonly IceServerTarget[] = []): IceServerTarget[] {
  const taken = new Set(already.map((t) => t.id));
  return targets.map((t) => {
    const id = targetIdFor(t.url, taken);
    taken.add(id);
    return { id, ...t };
  });
}

/** One target on its own (tests, the API's single-target probes): its id is its canonical URL. */
export function targetOf(target: Unidentified): IceServerTarget {
  return withIds([target])[0]!;
}
