#!/usr/bin/env node
// The `srvv` command. The TypeScript sources are compiled to dist/ by `npm run build` (part of `npm test` and
// `npm run demo`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('srvv is not built yet: run `npm run build` first.');
  } else {
    console.error(err);
  }
  process.exit(1);
});
