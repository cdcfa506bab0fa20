import { defineRule } from "./define-rule.js";
import { list, serverPath } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

export const dnsFailure = defineRule({
  id: "dns-failure",
  docs: "docs/rules/dns-failure.md",
  requires: ["servers"],
  messages: {
    "host-does-not-resolve": { severity: "error", title: "An ICE server's host name does not resolve" },
    "resolver-fails": { severity: "error", title: "No ICE server host name resolves: DNS does not work from here" },
  },
  supersedes: [],
  check(facts) {
    const named = facts.servers.filter((s) => s.dns?.resolved);
    const failed = named.filter((s) => s.dns && !s.dns.ok);
    const evidence = failed.map((s) => ({ path: serverPath(s, "dns"), fact: `DNS for ${s.host}: ${detailOf(s.dns?.error) ?? "no addresses"}` }));
    // Every name failing at once is this machine's resolver (or no network), not a list of typos.
    if (failed.length >= 2 && failed.length === named.length) {
      const hosts = [...new Set(failed.map((s) => s.host))];
      return [
        {
          message: "resolver-fails" as const,
          explanation:
            `None of the ${hosts.length} ICE server host names resolved (${list(hosts)}). ` +
            "That points at this machine's DNS resolver or its network, not at the servers: without DNS no STUN or TURN server can be reached by name, " +
            "so a WebRTC stack here gathers only host candidates.",
          fix:
            "Check that this machine has network access and a working resolver (cat /etc/resolv.conf; dig example.com). " +
            "In a container or CI runner, check its DNS settings; in a locked-down network, configure ICE servers by IP address or through the allowed resolver.",
          evidence,
          subjects: failed.map((s) => serverPath(s)),
        },
      ];
    }
    return failed.map((s, i) => ({
      message: "host-does-not-resolve" as const,
      explanation:
        `${s.url} cannot be used: its host '${s.host}' did not resolve (${detailOf(s.dns?.error) ?? "no address"}). ` +
        "A browser would skip this server silently and gather no candidate through it.",
      fix:
        `Check the spelling of '${s.host}' and that this network's DNS resolver can reach it (try: dig ${s.host} A; dig ${s.host} AAAA); ` +
        "when dig answers but the system resolver does not, check /etc/hosts, nsswitch.conf and split-horizon DNS.",
      evidence: [evidence[i]!],
      subjects: [serverPath(s)],
    }));
  },
});
