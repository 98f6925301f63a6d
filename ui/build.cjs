'use strict';
// Bundles the dashboard (ui/src) into dist/ui with esbuild: index.html, assets/app.js (an ES
// module), lazily loaded chunks (the dependency graph brings cytoscape only when shown) and
// assets/app.css. Everything comes from node_modules at build time; nothing at run time.
// Usage: node ui/build.cjs [--watch]
const { copyFileSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'ui');

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  copyFileSync(join(__dirname, 'index.html'), join(out, 'index.html'));
  const options = {
    entryPoints: { app: join(__dirname, 'src', 'main.tsx') },
    outdir: join(out, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    chunkNames: 'chunk-[hash]',
    minify: true,
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'linked',
    logLevel: 'warning',
  };
  if (process.argv.includes('--watch')) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    process.stdout.write('watching ui/src\n');
    return;
  }
  await esbuild.build(options);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
