/**
 * Notebooks import the compiled lib (dist/lib): tslab cannot import ../lib/*.ts. So that a notebook never
 * runs stale code silently, importing lib/notebook checks every lib/*.ts against its compiled .js.
 */
import fs from 'node:fs';
import path from 'node:path';

export function staleSources(srcRoot: string, distRoot: string): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = path.join(distRoot, path.relative(srcRoot, p)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(p).mtimeMs)
          stale.push(path.relative(srcRoot, p));
      }
    }
  };
  if (fs.existsSync(srcRoot)) walk(srcRoot);
  return stale;
}

export function assertFresh(): void {
  // __dirname is dist/lib/notebook; the sources are lib/ at the project root.
  const distLib = path.resolve(__dirname, '..');
  const srcLib = path.resolve(distLib, '..', '..', 'lib');
  const stale = staleSources(srcLib, distLib);
  if (stale.length) {
    throw new Error(
      `lib/ changed since it was compiled (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): ` +
        'run `npm run build` (npm run lab keeps a watch running), then restart the kernel',
    );
  }
}
