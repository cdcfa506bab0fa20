import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

/** The NAT lab from TypeScript. The recipes live in one place, scripts/nat-lab.sh, which a person can also run by hand. */

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/nat-lab.sh", import.meta.url));

export type LabProfile =
  | "no-nat"
  | "full-cone"
  | "restricted-cone"
  | "port-restricted-cone"
  | "symmetric"
  | "udp-blocked"
  | "tcp-443-only"
  | "udp-rejected"
  | "udp-prohibited"
  /** A cloud VM's public IP: every port of the router's address is mapped to the host (10.88.0.2), both ways. */
  | "one-to-one";

export interface LabSiteSpec {
  /** Short, [a-z0-9]: part of the namespace names. */
  name: string;
  profile: LabProfile;
}

export interface LabSite extends LabSiteSpec {
  router: string;
  client: string;
  /** The router's address on the lab's internet. */
  publicIp: string;
  clientIp: string;
}

export interface Lab {
  prefix: string;
  wan: string;
  sites: Record<string, LabSite>;
  down(): void;
}

/** A site of the lab by name; a test that names one the lab lacks is a broken test. */
export function labSite(lab: Lab, name: string): LabSite {
  const site = lab.sites[name];
  if (!site) throw new Error(`lab site ${name} missing`);
  return site;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

const TOOLS: [string, string[]][] = [
  ["ip", ["-V"]],
  ["iptables", ["--version"]],
  ["nft", ["--version"]],
  ["turnserver", ["--version"]],
  ["turnutils_natdiscovery", []],
  ["ss", ["-V"]],
];

export const LAB_PACKAGES = "iproute2 iptables nftables coturn";

/** Why the lab cannot run here, or undefined. Not being root is the one reason to skip; missing tools are a failure. */
export function notRootReason(): string | undefined {
  return process.getuid?.() === 0 ? undefined : "the NAT lab needs root (network namespaces, netfilter): run the lab tests as root, e.g. in CI";
}

export function missingTools(): string[] {
  return TOOLS.filter(([tool, args]) => spawnSync(tool, args, { stdio: "ignore" }).error !== undefined).map(([tool]) => tool);
}

const live = new Set<string>();

function teardown(prefix: string): void {
  if (!live.delete(prefix)) return;
  spawnSync("bash", [SCRIPT, "down", prefix], { stdio: "ignore" });
}

// Namespaces and coturns outlive this process: tear down whatever is left on any way out.
process.once("exit", () => {
  for (const prefix of [...live]) teardown(prefix);
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const prefix of [...live]) teardown(prefix);
    process.kill(process.pid, signal);
  });
}

function script(...args: string[]): void {
  const r = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`nat-lab.sh ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
}

export interface LabCoturn {
  name: string;
  /** Listening IPs: two make an RFC 5780 server. */
  ips: string[];
  /** Runs on this site's host (its client namespace) instead of in the internet namespace, e.g. behind a one-to-one NAT. */
  site?: string;
  /** Extra coturn options, e.g. --denied-peer-ip=198.51.100.12 or --external-ip=PUBLIC/PRIVATE. */
  args?: string[];
}

export interface LabSpec {
  sites: LabSiteSpec[];
  /** coturn processes, in the internet namespace unless they name a site. */
  coturns: LabCoturn[];
}

function clientIpOf(profile: LabProfile): string {
  if (profile === "no-nat") return "203.0.113.2";
  return profile === "one-to-one" ? "10.88.0.2" : "10.77.0.2";
}

/** Builds the lab under a fresh prefix; on any failure whatever was built is torn down again. */
export function startLab(spec: LabSpec): Lab {
  const prefix = `rdl${randomBytes(3).toString("hex")}`;
  live.add(prefix);
  try {
    script("wan-up", prefix);
    const extra = (c: LabCoturn) => (c.args && c.args.length > 0 ? ["--", ...c.args] : []);
    for (const c of spec.coturns.filter((c) => c.site === undefined)) script("coturn-up", prefix, c.name, ...c.ips, ...extra(c));
    const sites: Record<string, LabSite> = {};
    spec.sites.forEach((s, i) => {
      script("site-up", prefix, s.name, s.profile, String(i + 1));
      sites[s.name] = {
        ...s,
        router: `${prefix}-${s.name}-r`,
        client: `${prefix}-${s.name}-c`,
        publicIp: `198.51.100.${11 + i}`,
        clientIp: clientIpOf(s.profile),
      };
    });
    for (const c of spec.coturns.filter((c) => c.site !== undefined)) {
      const site = sites[c.site ?? ""];
      if (!site) throw new Error(`coturn ${c.name}: no lab site named '${c.site}'`);
      script("coturn-in", prefix, c.name, site.client, ...c.ips, ...extra(c));
    }
    return { prefix, wan: `${prefix}-wan`, sites, down: () => teardown(prefix) };
  } catch (error) {
    teardown(prefix);
    throw error;
  }
}

/** Runs a command inside a namespace, bounded, and times it from outside. */
export function runIn(namespace: string, command: string, args: string[], timeoutMs = 30_000): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile("ip", ["netns", "exec", namespace, command, ...args], { timeout: timeoutMs, cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

/** A sysctl inside a namespace (conntrack timeouts are per network namespace). */
export function sysctlIn(namespace: string, setting: string): void {
  const r = spawnSync("ip", ["netns", "exec", namespace, "sysctl", "-qw", setting], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sysctl ${setting} in ${namespace} failed: ${r.stderr}`);
}

/** Fails (never skips) when a lab tool is missing: as root the lab must run, so a gap is an install step to fix. */
export function requireLabTools(): void {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`the NAT lab needs ${missing.join(", ")} (Debian/Ubuntu: apt-get install -y ${LAB_PACKAGES})`);
}

/** Forwards a TCP port from a site's router to a host behind it, as a user forwards a server's port on a home router. */
export function forwardTcp(site: LabSite, port: number | string, to = site.clientIp): void {
  const r = spawnSync("ip", ["netns", "exec", site.router, "iptables", "-t", "nat", "-A", "PREROUTING", "-i", "n0", "-p", "tcp", "--dport", String(port), "-j", "DNAT", "--to-destination", `${to}:${port}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`port forward in ${site.router} failed: ${r.stderr}`);
}

/**
 * The command (an argv) that moves a site router's public address to `newIp` under live traffic
 * (scripts/nat-lab.sh site-readdress): for a process that must make the change itself, at its moment.
 */
export function readdressCommand(lab: Lab, site: LabSite, newIp: string): string[] {
  return ["bash", SCRIPT, "site-readdress", lab.prefix, site.name, newIp];
}
