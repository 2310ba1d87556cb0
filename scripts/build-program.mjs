/**
 * Bundles the command-line program (dist/cli/program.js and the ~280 modules it loads) into one
 * file, dist/cli/program.bundle.js, which the CLI's entry loads for every command but the quick
 * `status`. Each `pi-harness` command is a fresh process, and Node spends most of its start linking
 * those modules one by one: measured on the 2-core container (Node 24, compile cache warm), loading
 * the `run` command's modules took ~370 ms, the bundle ~175 ms.
 *
 * The modules stay in dist/ beside it (the helper processes, the pi extensions, the tests load them
 * by path), and three things keep the bundle behaving as they do:
 * - `import.meta.url` in a bundled module becomes that module's own URL in dist/, so the files it
 *   finds relative to itself (templates, extensions, pi's package, the dashboard's assets) are the
 *   same ones;
 * - dist/cli/io.js stays outside: the entry marks a closed stdout there, and the commands must see
 *   the same module;
 * - packages (zod, commander, pi) stay outside, loaded from node_modules as before.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const cli = path.join(dist, 'cli');
const outfile = path.join(cli, 'program.bundle.js');
const sharedWithEntry = path.join(cli, 'io.js');

/** `./x.js`-style path from the bundle to a file in dist/. */
function fromBundle(file) {
  const relative = path.relative(path.dirname(outfile), file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

const asInDist = {
  name: 'as-in-dist',
  setup(builder) {
    builder.onResolve({ filter: /\/io\.js$/ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      return file === sharedWithEntry ? { path: fromBundle(file), external: true } : undefined;
    });
    builder.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const ownUrl = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`;
      return {
        contents: source.replaceAll('import.meta.url', ownUrl),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

await build({
  entryPoints: [path.join(cli, 'program.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node22'],
  packages: 'external',
  plugins: [asInDist],
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
