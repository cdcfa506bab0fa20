import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import { weriftDependency } from "./werift-dependency.js";

/**
 * werift 0.24's DTLS does its X25519 key exchange (the curve two werift peers and browsers agree on)
 * with tweetnacl, in JavaScript: a key pair and a shared secret cost ~2.5 ms of CPU each, ~10 ms per
 * loopback connection (two peers), a fifth of all the CPU a relay connection costs, and a check with
 * many TURN URLs is CPU-bound. Node's own X25519 (OpenSSL) gives the same bytes (RFC 7748; both clamp
 * the scalar) in a few microseconds. werift reaches tweetnacl through its `box.keyPair` and
 * `scalarMult` exports only, so those two are answered natively, for the tweetnacl werift itself loads.
 */

// DER prefix of a PKCS#8 X25519 private key (RFC 8410), followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const KEY_BYTES = 32;

interface TweetNacl {
  scalarMult: (n: Uint8Array, p: Uint8Array) => Uint8Array;
  box: { keyPair: () => { publicKey: Uint8Array; secretKey: Uint8Array } };
  rtcDoctorNative?: boolean;
}

/**
 * Private keys this module made, by the ArrayBuffer werift keeps them in (it wraps `secretKey.buffer`
 * in a Buffer without copying): importing raw private bytes into OpenSSL 3 costs ~0.7 ms, more than
 * the whole exchange, so the key pair's own KeyObject is used for its shared secret.
 */
const privateKeys = new WeakMap<ArrayBufferLike, KeyObject>();

export function x25519KeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync("x25519");
  const jwk = privateKey.export({ format: "jwk" });
  // Each array owns exactly its 32 bytes: werift reads `.buffer` whole.
  const secretKey = new Uint8Array(Buffer.from(jwk.d ?? "", "base64url"));
  const publicKey = new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
  if (secretKey.length !== KEY_BYTES || publicKey.length !== KEY_BYTES) throw new Error("OpenSSL made an X25519 key of the wrong size");
  privateKeys.set(secretKey.buffer, privateKey);
  return { publicKey, secretKey };
}

export function x25519SharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (secretKey.length !== KEY_BYTES || publicKey.length !== KEY_BYTES) throw new Error("bad X25519 key size");
  const own = secretKey.byteOffset === 0 && secretKey.byteLength === secretKey.buffer.byteLength ? privateKeys.get(secretKey.buffer) : undefined;
  const privateKey = own ?? createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: "der", type: "pkcs8" });
  const peer = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
  return new Uint8Array(diffieHellman({ privateKey, publicKey: peer }));
}

/** Once per process; the tweetnacl resolved from werift's own location, the copy werift uses. */
export function nativeX25519ForWerift(): void {
  // A werift without tweetnacl does its X25519 some other way; nothing to speed up then.
  const nacl = weriftDependency<TweetNacl>("tweetnacl");
  if (!nacl || nacl.rtcDoctorNative || typeof nacl.scalarMult !== "function" || typeof nacl.box?.keyPair !== "function") return;
  nacl.rtcDoctorNative = true;
  const jsScalarMult = nacl.scalarMult;
  nacl.box.keyPair = x25519KeyPair;
  nacl.scalarMult = (n, p) => {
    // A peer's public value that OpenSSL refuses (an all-zero shared secret, RFC 7748 section 6.1)
    // gets tweetnacl's answer, as before: werift's handshake then fails the way it always did.
    try {
      return x25519SharedSecret(n, p);
    } catch {
      return jsScalarMult(n, p);
    }
  };
}
