/** Apart from the renderers, so that a command's --format choice costs nothing until a report is rendered. */
export const FORMATS = ["human", "json", "junit", "markdown"] as const;
export type Format = (typeof FORMATS)[number];
