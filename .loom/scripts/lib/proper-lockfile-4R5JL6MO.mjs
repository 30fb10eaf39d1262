import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{require_proper_lockfile}from"./chunk-AGIA3FJR.mjs";import"./chunk-U6YAQNCA.mjs";export default require_proper_lockfile();
