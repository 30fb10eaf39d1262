import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{StatusOptions,collectStatus,register,renderStatus,status,statusCommand}from"./chunk-SW75E4GJ.mjs";import"./chunk-K4I5RJFR.mjs";import"./chunk-GZDTURXL.mjs";import"./chunk-BX4RTB7M.mjs";import"./chunk-ND2TAIZD.mjs";import"./chunk-UVKLLUV6.mjs";import"./chunk-U6YAQNCA.mjs";export{StatusOptions,collectStatus,register,renderStatus,status,statusCommand};
