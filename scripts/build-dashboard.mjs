/**
 * Builds the dashboard page: esbuild bundles src/dashboard/ui (Preact, uPlot and the journal's
 * fold, which the page runs too) into dist/dashboard/public — the files the server sends, shipped
 * in the package, so nothing is fetched from a network at run time.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'src', 'dashboard', 'ui');
const out = path.join(root, 'dist', 'dashboard', 'public');

// DASHBOARD_NO_MINIFY=1 keeps the names readable, for a CPU profile of the page.
// Emptied first: a chunk of an earlier build must not ship beside this one's.
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: path.join(ui, 'main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  // What the page imports on demand (uPlot, after the first render) becomes a file of its own.
  splitting: true,
  chunkNames: '[name]-[hash]',
  target: ['es2022'],
  minify: process.env.DASHBOARD_NO_MINIFY !== '1',
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(path.join(ui, 'index.html'), path.join(out, 'index.html'));
