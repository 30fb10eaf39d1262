/**
 * Set-up for the schemas written with `zod/mini` (the status, iterate and state paths): classic `zod` registers
 * its English messages when it loads, zod/mini does not, so a module that defines mini schemas imports this one
 * first. Without it a malformed state or config file would be reported as a bare "Invalid input".
 * Mini, not classic, on those paths because classic zod is one ~320 KiB chunk that every call would parse and
 * compile (docs/PERFORMANCE.md); mini and classic schemas are the same zod 4 core and mix freely.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
