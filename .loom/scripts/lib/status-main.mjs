import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{statusCommand}from"./chunk-VXIKYUIG.mjs";import"./chunk-YCUW624H.mjs";import"./chunk-BNWWNHDT.mjs";import"./chunk-7I4IW3ZI.mjs";import"./chunk-7HKHIR4W.mjs";import{defaultCommandEnv,runCommand}from"./chunk-UVKLLUV6.mjs";import"./chunk-U6YAQNCA.mjs";function isPlainStatus(argv){return argv[0]==="status"&&argv.length<=2&&argv.slice(1).every(arg=>arg==="--json")}function statusMain(argv){let json=argv.includes("--json");return runCommand(defaultCommandEnv(),env=>statusCommand(env,{json}),json)}export{isPlainStatus,statusMain};
