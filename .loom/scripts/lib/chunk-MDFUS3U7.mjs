import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{existsSync}from"node:fs";var CHECK_MS=250;async function waitForStopFile(clock,file,ms,options={}){let until=clock.monotonic()+ms;for(;clock.monotonic()<until&&!options.signal?.aborted;){if(existsSync(file))return!0;await clock.sleep(Math.min(CHECK_MS,Math.max(1,until-clock.monotonic())),options.signal)}return existsSync(file)}export{waitForStopFile};
