/**
 * werift 0.24 makes one DTLS certificate per process, and then parses it again for every connection:
 * its PEM (certificate and private key, through @fidm/x509's ASN.1 decoder) for every DTLS context,
 * and its DER for the fingerprint of every description. That is about 2 ms of CPU per connection
 * on a check that is CPU-bound with many relay paths. The parse of the same text gives the same
 * objects, which nothing changes afterwards, so each is parsed once.
 */

interface CipherContextClass {
  prototype: {
    parseX509?(this: ParsedContext, certPem: string | Buffer, keyPem: string | Buffer, signatureHash: unknown): void;
    rtcDoctorParsesOnce?: boolean;
  };
}

interface ParsedContext {
  localCert?: unknown;
  localPrivateKey?: unknown;
  signatureHashAlgorithm?: unknown;
}

interface CertificateClass {
  prototype: { getFingerprints?(this: CachedCertificate): unknown[]; rtcDoctorParsesOnce?: boolean };
}

interface CachedCertificate {
  rtcDoctorFingerprints?: unknown[];
}

/** By certificate and key text; a few entries are plenty (one certificate per process). */
const parsed = new Map<string, { localCert: unknown; localPrivateKey: unknown }>();
const MAX_ENTRIES = 8;

export function parseCertificateOnce(cipherContext: CipherContextClass | undefined, certificate: CertificateClass | undefined): void {
  const context = cipherContext?.prototype;
  const parseX509 = context?.parseX509;
  if (context && parseX509 && !context.rtcDoctorParsesOnce) {
    context.parseX509 = function (this: ParsedContext, certPem, keyPem, signatureHash) {
      const key = `${certPem.toString()}\n${keyPem.toString()}`;
      const known = parsed.get(key);
      if (!known) {
        parseX509.call(this, certPem, keyPem, signatureHash);
        if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value as string);
        parsed.set(key, { localCert: this.localCert, localPrivateKey: this.localPrivateKey });
        return;
      }
      this.localCert = known.localCert;
      this.localPrivateKey = known.localPrivateKey;
      this.signatureHashAlgorithm = signatureHash;
    };
    context.rtcDoctorParsesOnce = true;
  }
  const cert = certificate?.prototype;
  const getFingerprints = cert?.getFingerprints;
  if (cert && getFingerprints && !cert.rtcDoctorParsesOnce) {
    cert.getFingerprints = function (this: CachedCertificate) {
      this.rtcDoctorFingerprints ??= getFingerprints.call(this);
      return [...this.rtcDoctorFingerprints];
    };
    cert.rtcDoctorParsesOnce = true;
  }
}
