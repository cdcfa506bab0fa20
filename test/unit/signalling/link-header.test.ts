import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { describeLinks, iceServersFromLinks, linkLimitProblem, MAX_LINK_HEADER_BYTES, MAX_LINK_ICE_SERVERS, parseLinks } from "../../../src/signalling/link-header.js";

/** WHIP servers hand out ICE servers as RFC 8288 Link headers (RFC 9725 section 4.6). */
describe("iceServersFromLinks", () => {
  it("reads the RFC 9725 example: URL, username, credential, credential-type password", () => {
    const header = '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="myPassword"; credential-type="password"';
    expect(iceServersFromLinks(header)).toEqual([{ urls: ["turn:turn.example.net?transport=udp"], username: "user", credential: "myPassword" }]);
  });

  it("reads several links in one header, with their own parameters each", () => {
    const header =
      '<stun:stun.example.net>; rel="ice-server", <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u1"; credential="p1", ' +
      '<turns:turn.example.net:443?transport=tcp>; rel="ice-server"; username="u2"; credential="p2"';
    expect(iceServersFromLinks(header)).toEqual([
      { urls: ["stun:stun.example.net"] },
      { urls: ["turn:turn.example.net?transport=udp"], username: "u1", credential: "p1" },
      { urls: ["turns:turn.example.net:443?transport=tcp"], username: "u2", credential: "p2" },
    ]);
  });

  it("reads several Link headers of one real HTTP response, as fetch joins them", async () => {
    const server = createServer((_req, res) => {
      res.setHeader("Link", ['<stun:a.example>; rel="ice-server"', '<turn:b.example>; rel="ice-server"; username="u"; credential="p,q"']);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      await response.text();
      expect(iceServersFromLinks(response.headers.get("link"))).toEqual([{ urls: ["stun:a.example"] }, { urls: ["turn:b.example"], username: "u", credential: "p,q" }]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("keeps commas, semicolons and escaped quotes inside quoted strings (RFC 8288 quoted-string)", () => {
    const header = '<turn:t.example>; rel="ice-server"; username="a,b;c"; credential="p\\"q,r\\\\s", <stun:s.example>; rel="ice-server"';
    expect(iceServersFromLinks(header)).toEqual([
      { urls: ["turn:t.example"], username: "a,b;c", credential: 'p"q,r\\s' },
      { urls: ["stun:s.example"] },
    ]);
  });

  it("accepts token (unquoted) values, any case of parameter names and relation, and spaces around '=' and ';'", () => {
    const header = "<turn:t.example?transport=tcp> ;REL = ICE-Server ; Username=u ;credential = p;Credential-Type=Password";
    expect(iceServersFromLinks(header)).toEqual([{ urls: ["turn:t.example?transport=tcp"], username: "u", credential: "p" }]);
  });

  it("takes ice-server out of a rel with several relation types", () => {
    expect(iceServersFromLinks('<stun:s.example>; rel="preload ice-server"')).toEqual([{ urls: ["stun:s.example"] }]);
  });

  it("skips links with another relation, no relation, or an OAuth credential type", () => {
    const header =
      '<https://example.net/whep>; rel="alternate", <stun:norel.example>, ' +
      '<turn:oauth.example>; rel="ice-server"; username="kid"; credential="token"; credential-type="oauth", ' +
      '<turn:ok.example>; rel="ice-server"; username="u"; credential="p"';
    expect(iceServersFromLinks(header)).toEqual([{ urls: ["turn:ok.example"], username: "u", credential: "p" }]);
  });

  it("uses the first occurrence of a repeated parameter (RFC 8288 section 3)", () => {
    expect(iceServersFromLinks('<turn:t.example>; rel="ice-server"; username="first"; username="second"; rel="other"')).toEqual([
      { urls: ["turn:t.example"], username: "first" },
    ]);
  });

  it("skips malformed parts and keeps the well-formed links around them", () => {
    const header = 'garbage; rel="ice-server", <stun:good.example>; rel="ice-server", <turn:unterminated; rel="ice-server"';
    expect(iceServersFromLinks(header)).toEqual([{ urls: ["stun:good.example"] }]);
    expect(iceServersFromLinks(null)).toEqual([]);
    expect(iceServersFromLinks("")).toEqual([]);
  });

  it("keeps an empty credential as given (a server may send one)", () => {
    expect(iceServersFromLinks('<turn:t.example>; rel="ice-server"; username=""; credential=""')).toEqual([{ urls: ["turn:t.example"], username: "", credential: "" }]);
  });
});

describe("parseLinks and describeLinks", () => {
  it("parses valueless parameters and extended names", () => {
    const [link] = parseLinks("<https://x.example/a>; rel=next; anchor; title*=UTF-8'en'a%20b");
    expect(link?.target).toBe("https://x.example/a");
    expect(Object.fromEntries(link?.params ?? [])).toEqual({ rel: "next", anchor: "", "title*": "UTF-8'en'a%20b" });
  });

  it("describes links for a report without the query or credentials", () => {
    const header = '<turn:t.example:3478?transport=udp>; rel="ice-server"; username="u"; credential="secret-pass", <https://x.example/n>';
    const described = describeLinks(header);
    expect(described).toBe('<turn:t.example:3478>; rel="ice-server", <https://x.example/n>');
    expect(described).not.toContain("secret-pass");
  });
});

describe("Link header limits", () => {
  const link = (i: number) => `<turn:198.51.100.${i % 250}:3478?transport=udp>; rel="ice-server"; username="u${i}"; credential="Wq8#secret${i}"`;

  it("a few ICE servers are fine", () => {
    expect(linkLimitProblem(Array.from({ length: MAX_LINK_ICE_SERVERS }, (_, i) => link(i)).join(", "))).toBeUndefined();
    expect(linkLimitProblem(null)).toBeUndefined();
  });

  it("more ICE servers than the bound, or more bytes, are named with their count and no value", () => {
    const many = Array.from({ length: MAX_LINK_ICE_SERVERS + 1 }, (_, i) => link(i)).join(", ");
    expect(linkLimitProblem(many)).toBe(`its Link headers list ${MAX_LINK_ICE_SERVERS + 1} ICE servers, more than the ${MAX_LINK_ICE_SERVERS} rtc-doctor takes`);
    const long = `<stun:a.example>; rel="ice-server"; x="${"a".repeat(MAX_LINK_HEADER_BYTES)}"`;
    expect(linkLimitProblem(long)).toMatch(new RegExp(`^its Link headers take ${Buffer.byteLength(long)} bytes, more than the ${MAX_LINK_HEADER_BYTES}`));
    expect(linkLimitProblem(many)).not.toMatch(/Wq8|turn:/);
  });

  it("a report shows a bounded number of links, without credentials", () => {
    const shown = describeLinks(Array.from({ length: 300 }, (_, i) => link(i)).join(", "));
    expect(shown).not.toMatch(/Wq8|username|credential/);
    expect(shown.match(/rel="ice-server"/g)).toHaveLength(16);
    expect(shown).toMatch(/\(\d+ more links, \d+ bytes in all\)$/);
  });
});
