/**
 * `node --import tracekit-node/register app.js` (also through NODE_OPTIONS): starts the agent
 * before the app's first import. The agent itself is CommonJS, loaded through require, so the
 * `--import` and `--require` entries share one instance and one once-per-process guard.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startAgent } = require('./start.js') as typeof import('./start.js');
startAgent(undefined, 'import');
