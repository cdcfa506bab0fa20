/**
 * Library text names an option of the check with a token, `{option:tlsCa}`, never a CLI flag: the
 * same diagnosis reaches API users, who have no flags. The caller says how an option is written
 * (the CLI passes its flag names); by default it is the API's option name in backticks. Bare, not
 * "the `tlsCa` option", because the same token also heads a path into an option's value
 * ("`iceServers`[0].urls") and lists ("`username`/`credential`"), where a phrase does not fit.
 */
export type OptionNamer = (name: string) => string;

const TOKEN = /\{option:([A-Za-z][A-Za-z0-9.]*)\}/g;

export const apiOptionName: OptionNamer = (name) => `\`${name}\``;

export function resolveOptionWords(text: string, optionName: OptionNamer = apiOptionName): string {
  return text.replace(TOKEN, (_token, name: string) => optionName(name));
}

/** Every option a text names, e.g. to check that a namer knows them all. */
export function optionTokens(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1] as string);
}
