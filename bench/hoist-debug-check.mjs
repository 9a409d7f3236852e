// Makes a copy of jco's bindings for the component (tests/wasm/.gen/component) in which the
// debug-logging switch is read once at load instead of on every call: jco 1.35's generated
// `_debugLog` looks up `process.env.JCO_DEBUG` (a slow host lookup in Node) each time, and it
// runs several times per call into the component. The benchmark measures the copy beside the
// original to show what that costs; nothing else in the bindings changes.
//
//   node bench/hoist-debug-check.mjs OUT_DIR     (then import OUT_DIR/oomlens.js)
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { artifacts, requireArtifact, testsDir } from './common.mjs';

const PER_CALL_CHECK = `const _debugLog = (...args) => {
  if (!globalThis?.process?.env?.JCO_DEBUG) { return; }`;
const HOISTED_CHECK = `const JCO_DEBUG_AT_LOAD = Boolean(globalThis?.process?.env?.JCO_DEBUG);
const _debugLog = (...args) => {
  if (!JCO_DEBUG_AT_LOAD) { return; }`;

const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error('usage: node bench/hoist-debug-check.mjs OUT_DIR');
const out = resolve(outDir);
rmSync(out, { recursive: true, force: true });
cpSync(dirname(requireArtifact(artifacts.transpiled)), out, { recursive: true });
const bindings = join(out, 'oomlens.js');
const text = readFileSync(bindings, 'utf8');
if (!text.includes(PER_CALL_CHECK)) {
  throw new Error(`${bindings}: jco's per-call debug check not found (another jco version?)`);
}
writeFileSync(bindings, text.replace(PER_CALL_CHECK, HOISTED_CHECK));
// The bindings import the WASI shim by package name: resolve it from the tests' install.
const modules = join(out, 'node_modules');
if (!existsSync(modules)) symlinkSync(join(testsDir, 'node_modules'), modules, 'dir');
