/** What every scrubbed secret becomes, in probe errors and in all output alike, so a reader learns one marker. */
export const REDACTED = "[redacted]";

/**
 * Replaces every secret in `text` with REDACTED. Probes use it on library error texts before they go
 * into a fact; the output layer runs it over every byte written as the last line of defence, so a
 * credential that slipped into an error message still never reaches a terminal, file or CI log.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // Shorter values would wreck unrelated text; no real credential is that short.
  const known = secrets.filter((s): s is string => s !== undefined && s.length >= 3);
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of known.sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
    // JSON output escapes some characters; catch the escaped form as well.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

/** An unexpected error's message, which could echo anything it was given, without the secrets. */
export function scrubbedErrorText(error: unknown, secrets: readonly (string | undefined)[]): string {
  return scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
}
