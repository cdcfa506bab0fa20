import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadWerift } from "../../../src/webrtc/peer.js";
import { x25519KeyPair, x25519SharedSecret } from "../../../src/webrtc/native-x25519.js";

interface Nacl {
  scalarMult: ((n: Uint8Array, p: Uint8Array) => Uint8Array) & { base(n: Uint8Array): Uint8Array };
  box: { keyPair: () => { publicKey: Uint8Array; secretKey: Uint8Array } };
  lowlevel: { crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): number; crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): number };
}
// tweetnacl's own JavaScript, reached below its exports, which native-x25519 replaces.
const nacl = createRequire(import.meta.url)("tweetnacl") as Nacl;
const jsScalarMult = (n: Uint8Array, p: Uint8Array) => {
  const q = new Uint8Array(32);
  nacl.lowlevel.crypto_scalarmult(q, n, p);
  return q;
};
const jsBase = (n: Uint8Array) => {
  const q = new Uint8Array(32);
  nacl.lowlevel.crypto_scalarmult_base(q, n);
  return q;
};
const key = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("native X25519 for werift's DTLS", () => {
  it("computes the shared secret tweetnacl computes, for any scalar and any peer key", () => {
    fc.assert(
      fc.property(key, key, (secret, peerSecret) => {
        const peerPublic = jsBase(peerSecret);
        expect(Buffer.from(x25519SharedSecret(secret, peerPublic))).toEqual(Buffer.from(jsScalarMult(secret, peerPublic)));
      }),
      { numRuns: 200 },
    );
  });

  it("makes key pairs whose public key is tweetnacl's for the same secret", () => {
    for (let i = 0; i < 20; i += 1) {
      const pair = x25519KeyPair();
      expect(pair.secretKey).toHaveLength(32);
      expect(Buffer.from(pair.publicKey)).toEqual(Buffer.from(jsBase(pair.secretKey)));
    }
  });

  it("is what werift's tweetnacl answers once werift is loaded, and two such keys agree", async () => {
    await loadWerift();
    expect(nacl.box.keyPair).toBe(x25519KeyPair);
    const a = nacl.box.keyPair();
    const b = nacl.box.keyPair();
    expect(Buffer.from(nacl.scalarMult(a.secretKey, b.publicKey))).toEqual(Buffer.from(nacl.scalarMult(b.secretKey, a.publicKey)));
    expect(Buffer.from(nacl.scalarMult(a.secretKey, b.publicKey))).toEqual(Buffer.from(jsScalarMult(a.secretKey, b.publicKey)));
    // werift keeps the secret as Buffer.from(secretKey.buffer) and hands that to scalarMult.
    expect(Buffer.from(nacl.scalarMult(Buffer.from(a.secretKey.buffer), b.publicKey))).toEqual(Buffer.from(jsScalarMult(a.secretKey, b.publicKey)));
  });

  it("falls back to tweetnacl for a public value OpenSSL refuses (small-order point)", async () => {
    await loadWerift();
    const zero = new Uint8Array(32);
    expect(Buffer.from(nacl.scalarMult(x25519KeyPair().secretKey, zero))).toEqual(Buffer.alloc(32));
  });
});
