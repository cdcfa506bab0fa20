import { createRequire } from "node:module";
import { createVerify, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadWerift } from "../../../src/webrtc/peer.js";

interface FidmKey {
  sign(data: Buffer, hash: string): Buffer;
}
const require = createRequire(import.meta.url);
const { PrivateKey } = require("@fidm/x509") as { PrivateKey: { fromPEM(pem: Buffer): FidmKey; prototype: { rtcDoctorKeyObject?: boolean } } };

describe("werift's DTLS signatures with a key decoded once", () => {
  it("signs as before: the signature verifies with the certificate's public key, for EC and RSA keys", async () => {
    await loadWerift();
    expect(PrivateKey.prototype.rtcDoctorKeyObject).toBe(true);
    const data = Buffer.from("client random, server random, curve and public key");
    for (const pair of [generateKeyPairSync("ec", { namedCurve: "prime256v1" }), generateKeyPairSync("rsa", { modulusLength: 2048 })]) {
      const key = PrivateKey.fromPEM(Buffer.from(pair.privateKey.export({ format: "pem", type: "pkcs8" })));
      for (let i = 0; i < 3; i += 1) {
        const signature = key.sign(data, "sha256");
        expect(createVerify("sha256").update(data).verify(pair.publicKey, signature)).toBe(true);
      }
    }
  });

  it("a CertificateVerify from werift's CipherContext verifies too", async () => {
    const werift = (await loadWerift()) as unknown as {
      CipherContext: {
        createSelfSignedCertificateWithKey(sig: { signature: number; hash: number }, curve: number): Promise<{ certPem: string; keyPem: string; signatureHash: { signature: number; hash: number } }>;
        new (type: number, certPem: string, keyPem: string, signatureHash: unknown): { signatureData(data: Buffer, hash: string): Buffer };
      };
    };
    const { certPem, keyPem, signatureHash } = await werift.CipherContext.createSelfSignedCertificateWithKey({ signature: 3, hash: 4 }, 23);
    const context = new werift.CipherContext(1, certPem, keyPem, signatureHash);
    const data = Buffer.from("handshake messages so far");
    const signature = context.signatureData(data, "sha256");
    expect(createVerify("sha256").update(data).verify(certPem, signature)).toBe(true);
  });
});
