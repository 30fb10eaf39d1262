/**
 * The files of defaults/ as the build embeds them: scripts/build.mjs replaces this module's text with them, so
 * the installed CLI needs nothing beside it, and only the `init` chunk carries them. From source it stays
 * undefined and `loom init` reads the defaults/ folder.
 */
import type { DefaultFiles } from './defaults.js';

export const EMBEDDED_DEFAULTS: DefaultFiles | undefined = undefined;
