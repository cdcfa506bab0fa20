import type { Rule } from "./types.js";
import { serverPath } from "./helpers.js";

export const dnsFailure: Rule = {
  id: "dns-failure",
  severity: "error",
  title: "An ICE server's host name does not resolve",
  docs: "docs/rules/dns-failure.md",
  check(facts) {
    return facts.servers
      .filter((s) => s.dns && !s.dns.ok)
      .map((s) => ({
        explanation:
          `${s.url} cannot be used: its host '${s.host}' did not resolve (${s.dns?.error?.message ?? "no address"}). ` +
          "A browser would skip this server silently and gather no candidate through it.",
        fix: `Check the spelling of '${s.host}' and that this network's DNS resolver can reach it (try: dig ${s.host} A; dig ${s.host} AAAA).`,
        evidence: [{ path: serverPath(s, "dns"), fact: `DNS for ${s.host}: ${s.dns?.error?.message ?? "no addresses"}` }],
      }));
  },
};
