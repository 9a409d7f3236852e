// Assembles web/dist/ from src/ and jco's output in .gen/component/: the bundle (esbuild,
// browser conditions, so the preview2 shim's browser implementation), the served page, and
// the single-file page with the styles, the bundle and the core modules inlined.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const gen = join(here, '.gen', 'component');
const dist = join(here, 'dist');

const bundled = await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  legalComments: 'none',
  // jco's fallback loader for Node (never called: the page passes its own loader).
  external: ['node:*'],
});
const app = bundled.outputFiles[0].text;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const template = readFileSync(join(here, 'src', 'index.html'), 'utf8');
const css = readFileSync(join(here, 'src', 'style.css'), 'utf8');
const coreModules = readdirSync(gen).filter((name) => name.endsWith('.wasm')).sort();

// Scripts only from the page itself; the served page may fetch its own core modules, the
// single file may fetch nothing at all.
const policy = (connect) =>
  `default-src 'none'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src ${connect}`;

const fill = (html, values) =>
  Object.entries(values).reduce((text, [key, value]) => text.replace(`<!--${key}-->`, () => value), html);

// Served: the page, its script and styles, the core modules beside them.
writeFileSync(join(dist, 'app.js'), app);
writeFileSync(join(dist, 'style.css'), css);
for (const name of coreModules) copyFileSync(join(gen, name), join(dist, name));
writeFileSync(
  join(dist, 'index.html'),
  fill(template, {
    csp: policy("'self'"),
    styles: '<link rel="stylesheet" href="style.css">',
    script: '<script type="module" src="app.js"></script>',
  }),
);

// One file: `</script` may not appear inside an inline script.
const inlineScript = (code) => code.replaceAll('</script', '<\\/script');
const inlined = Object.fromEntries(coreModules.map((name) => [name, readFileSync(join(gen, name)).toString('base64')]));
const single = fill(template, {
  csp: policy("'none'"),
  styles: `<style>\n${css}</style>`,
  script:
    `<script>globalThis.oomlensInlinedWasm = ${JSON.stringify(inlined)};</script>\n` +
    `<script type="module">${inlineScript(app)}</script>`,
});
writeFileSync(join(dist, 'oomlens.html'), single);

for (const name of ['index.html', 'app.js', ...coreModules, 'oomlens.html']) {
  console.log(`${String(statSync(join(dist, name)).size).padStart(10)}  web/dist/${name}`);
}
