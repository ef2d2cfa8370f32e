#!/usr/bin/env node
// Compiles every app and lib with SWC into dist/ (same tree), rewriting the tsconfig path aliases
// into relative requires so `node dist/apps/<app>/src/main.js` runs without a loader.
// SWC rather than tsc: tsc leaves `paths` unrewritten, and esbuild cannot emit decorator metadata,
// which Nest's dependency injection needs. Type checking is `npm run typecheck` (tsc --noEmit).
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, stat, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths;
const ASSETS = /\.(html|css|svg|png|ico|json|sql)$/;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue;
      yield* walk(p);
    } else yield p;
  }
}

async function newer(src, dest) {
  try {
    return (await stat(src)).mtimeMs > (await stat(dest)).mtimeMs;
  } catch {
    return true;
  }
}

let compiled = 0;
for (const top of ['apps', 'libs']) {
  for await (const file of walk(join(root, top))) {
    const rel = relative(root, file);
    if (file.endsWith('.ts') && !file.endsWith('.d.ts') && !/\.(spec|int-spec)\.ts$/.test(file)) {
      const dest = join(out, rel.replace(/\.ts$/, '.js'));
      if (!(await newer(file, dest))) continue;
      const { code, map } = await transformFile(file, {
        ...swcrc,
        swcrc: false,
        filename: file,
        sourceFileName: relative(dirname(dest), file),
        jsc: { ...swcrc.jsc, baseUrl: root, paths },
      });
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, map ? `${code}\n//# sourceMappingURL=${dest.split('/').pop()}.map\n` : code);
      if (map) await writeFile(`${dest}.map`, map);
      compiled++;
    } else if (ASSETS.test(file) && !rel.includes('/test/') && rel.includes('/src/')) {
      const dest = join(out, rel);
      if (!(await newer(file, dest))) continue;
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(file, dest);
    }
  }
}
if (process.env.BUILD_VERBOSE) console.error(`build: ${compiled} file(s) compiled into dist/`);
