import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{StatusOptions,collectStatus,register,renderStatus,status,statusCommand}from"./chunk-VXIKYUIG.mjs";import"./chunk-YCUW624H.mjs";import"./chunk-BNWWNHDT.mjs";import"./chunk-7I4IW3ZI.mjs";import"./chunk-7HKHIR4W.mjs";import"./chunk-UVKLLUV6.mjs";import"./chunk-U6YAQNCA.mjs";export{StatusOptions,collectStatus,register,renderStatus,status,statusCommand};
