import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import { weriftDependency } from "./werift-dependency.js";

/**
 * werift 0.24's DTLS signs its handshake (ServerKeyExchange as server, CertificateVerify as client)
 * by handing the private key to node:crypto as PEM text each time, and OpenSSL 3 decodes PEM slowly:
 * 2.4 ms of CPU per signature where the signature itself is 0.1 ms, ~5 ms per loopback connection.
 * The key is decoded once per key object instead; the signatures are the same ECDSA/RSA signatures.
 */

interface FidmPrivateKey {
  oid?: string;
  toPEM(): string | Buffer;
  sign(data: Buffer, hashAlgorithm: string): Buffer;
}

interface FidmPrivateKeyClass {
  prototype: FidmPrivateKey & { rtcDoctorKeyObject?: boolean };
  _signers?: Record<string, unknown>;
}

interface CipherContextClass {
  prototype: { signatureData?(this: { localPrivateKey?: FidmPrivateKey }, data: Buffer, hash: string): Buffer; rtcDoctorKeyObject?: boolean };
}

/**
 * By PEM text: werift decodes its one certificate's key into a new PrivateKey for every DTLS
 * context, so the text is what repeats. A few entries are plenty (werift makes one certificate per
 * process); the bound keeps a caller's own keys from accumulating.
 */
const keyObjects = new Map<string, KeyObject>();
const MAX_KEYS = 8;

function keyObjectOf(key: FidmPrivateKey): KeyObject {
  const pem = key.toPEM().toString();
  let object = keyObjects.get(pem);
  if (!object) {
    object = createPrivateKey(pem);
    if (keyObjects.size >= MAX_KEYS) keyObjects.delete(keyObjects.keys().next().value as string);
    keyObjects.set(pem, object);
  }
  return object;
}

/** Once per process, for werift's CipherContext and the @fidm/x509 werift loads. */
export function decodeDtlsKeyOnce(cipherContext: CipherContextClass | undefined): void {
  const PrivateKey = weriftDependency<{ PrivateKey?: FidmPrivateKeyClass }>("@fidm/x509")?.PrivateKey;
  const keyProto = PrivateKey?.prototype;
  if (PrivateKey && keyProto && !keyProto.rtcDoctorKeyObject && typeof keyProto.sign === "function") {
    keyProto.rtcDoctorKeyObject = true;
    const original = keyProto.sign;
    const signers = PrivateKey._signers ?? {};
    keyProto.sign = function (this: FidmPrivateKey, data: Buffer, hashAlgorithm: string): Buffer {
      // Ed25519 keys have their own signer in @fidm/x509 and never reach the PEM path.
      if (this.oid !== undefined && signers[this.oid] != null) return original.call(this, data, hashAlgorithm);
      return createSign(hashAlgorithm).update(data).sign(keyObjectOf(this));
    };
  }
  const cipherProto = cipherContext?.prototype;
  if (cipherProto && !cipherProto.rtcDoctorKeyObject && typeof cipherProto.signatureData === "function") {
    cipherProto.rtcDoctorKeyObject = true;
    const original = cipherProto.signatureData;
    cipherProto.signatureData = function (data: Buffer, hash: string): Buffer {
      if (!this.localPrivateKey) return original.call(this, data, hash);
      return createSign(hash).update(data).sign(keyObjectOf(this.localPrivateKey));
    };
  }
}
