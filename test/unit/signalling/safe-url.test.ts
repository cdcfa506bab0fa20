import { describe, expect, it } from "vitest";
import { safeUrl } from "../../../src/signalling/http.js";

/** Signalling URLs end up in reports; whatever may be a secret in them must not. */
describe("safeUrl", () => {
  it("drops userinfo and the fragment, and blanks every query value", () => {
    expect(safeUrl("https://alice:hunter22@sfu.example.com:8443/whip/room1?token=abc123&key=k3y#frag")).toBe(
      "https://sfu.example.com:8443/whip/room1?token=[redacted]&key=[redacted]",
    );
  });

  it("leaves a URL without secrets as it is", () => {
    expect(safeUrl("http://127.0.0.1:8787/api/offer")).toBe("http://127.0.0.1:8787/api/offer");
    expect(safeUrl("http://[::1]:8787/whip")).toBe("http://[::1]:8787/whip");
  });

  it("names a repeated key once", () => {
    expect(safeUrl("http://h.example/w?t=1&t=2&u=3")).toBe("http://h.example/w?t=[redacted]&u=[redacted]");
  });

  it("blanks a bare parameter whole: it may be the token itself", () => {
    const out = safeUrl("http://h.example/w?s3cr3tT0ken&room=7");
    expect(out).toBe("http://h.example/w?[redacted]&room=[redacted]");
    expect(out).not.toContain("s3cr3tT0ken");
  });

  it("keeps keys readable but encoded, with empty values blanked too", () => {
    expect(safeUrl("http://h.example/w?api%20key=x&empty=")).toBe("http://h.example/w?api%20key=[redacted]&empty=[redacted]");
  });

  it("never echoes an unparseable input", () => {
    expect(safeUrl("not a url with password hunter22")).toBe("[unparseable URL]");
  });

  it("a user name alone (no password) is dropped too", () => {
    expect(safeUrl("https://token-as-user@h.example/whip")).toBe("https://h.example/whip");
  });
});
