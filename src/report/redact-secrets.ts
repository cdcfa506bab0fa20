/**
 * The last line of defence: every byte rtc-doctor writes passes through here, so a credential
 * that slipped into an error message from a library still never reaches a terminal, file or CI log.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("[redacted]");
    // JSON output escapes some characters; catch the escaped form as well.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join("[redacted]");
  }
  return out;
}
