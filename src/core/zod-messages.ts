/**
 * zod/mini (what the modules `loom status` loads use, to stay small) carries no
 * error messages of its own: this gives it zod's English ones, as full zod has.
 * Import it for its effect from every module that parses with zod/mini.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
