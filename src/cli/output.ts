import { writeFileSync } from "node:fs";
import { redactSecrets } from "../report/redact-secrets.js";

/** Writes to stdout or stderr with secrets removed; nothing leaves the process any other way. */
export class Output {
  constructor(private readonly secrets: readonly string[] = []) {}

  withSecrets(more: readonly string[]): Output {
    return new Output([...this.secrets, ...more]);
  }

  clean(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  stdout(text: string): void {
    process.stdout.write(this.clean(text));
  }

  stderr(text: string): void {
    process.stderr.write(this.clean(text));
  }

  file(path: string, text: string): void {
    writeFileSync(path, this.clean(text));
  }
}
