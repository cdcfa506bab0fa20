import { resolveOptionWords, type OptionNamer } from "./option-words.js";

/**
 * A problem with what the user gave us (options, JSON, env, config file). The CLI prints it as one
 * line and exits 2; nothing has been sent on the network when this is thrown. The text names
 * options with {option:NAME} tokens: `message` says them as API option names, `messageFor` lets
 * the CLI say its flags.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly template: string;
  constructor(template: string) {
    super(resolveOptionWords(template));
    this.template = template;
  }

  messageFor(optionName: OptionNamer): string {
    return resolveOptionWords(this.template, optionName);
  }
}
