// The one engine: the oomlens component, transpiled by jco, instantiated in the page with
// the preview2 shim's browser implementation. The page only calls its exports; every verdict
// and every figure comes from the events it returns.
import * as cli from '@bytecodealliance/preview2-shim/cli';
import * as io from '@bytecodealliance/preview2-shim/io';
import * as random from '@bytecodealliance/preview2-shim/random';
import { instantiate } from '../.gen/component/oomlens.js';

/**
 * What the component imports (see .gen/component/oomlens.d.ts: Rust's standard library links
 * stdio, environment, exit and a random seed, and never uses them for analysis), each from
 * the shim's browser build: stdout and stderr go to the console, stdin is closed.
 */
const wasiImports = {
  'wasi:cli/environment': cli.environment,
  'wasi:cli/exit': cli.exit,
  'wasi:cli/stderr': cli.stderr,
  'wasi:cli/stdin': cli.stdin,
  'wasi:cli/stdout': cli.stdout,
  'wasi:cli/terminal-input': cli.terminalInput,
  'wasi:cli/terminal-output': cli.terminalOutput,
  'wasi:cli/terminal-stderr': cli.terminalStderr,
  'wasi:cli/terminal-stdin': cli.terminalStdin,
  'wasi:cli/terminal-stdout': cli.terminalStdout,
  'wasi:io/error': io.error,
  'wasi:io/poll': io.poll,
  'wasi:io/streams': io.streams,
  'wasi:random/insecure-seed': random.insecureSeed,
};

/** Base64 text to bytes. */
function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The core modules: from `inlined` (name → base64, the single-file build) when given, else
 * fetched beside the page (web/dist/).
 */
function coreModuleLoader(inlined) {
  return async (name) => {
    if (inlined) {
      const text = inlined[name];
      if (typeof text !== 'string') throw new Error(`core module ${name} is not inlined`);
      return WebAssembly.compile(decodeBase64(text));
    }
    const response = await fetch(new URL(name, document.baseURI));
    if (!response.ok) throw new Error(`loading ${name}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  };
}

/**
 * Whether `text` is newline-delimited JSON records (`journalctl -o json`, a shipper's
 * output) rather than log text: its first non-blank line is a JSON object.
 */
export function looksLikeNdjson(text) {
  const first = text.match(/^[ \t]*(\S[^\n]*)/m);
  if (!first || !first[1].startsWith('{')) return false;
  try {
    const value = JSON.parse(first[1]);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The loaded component. */
export class Engine {
  constructor(exports) {
    this.filter = exports.filter;
  }

  /** Loads the component; `inlined` as for the single-file build. */
  static async load(inlined) {
    const exports = await instantiate(coreModuleLoader(inlined), wasiImports);
    return new Engine(exports);
  }

  /**
   * Every event in `text`, in log order. Log text goes to the component's
   * `analyze` (as `oomlens analyze FILE` does); NDJSON records go through its `transform`
   * with the default configuration (as `oomlens filter` does) and only the events are kept.
   */
  analyze(text) {
    const ndjson = looksLikeNdjson(text);
    const texts = ndjson ? this.filterRecords(text) : this.filter.analyze(text);
    // `texts` are the events exactly as the component wrote them (what "copy the events"
    // hands out); `events` the same, parsed, for the page to show.
    return { input: ndjson ? 'ndjson' : 'text', texts, events: texts.map((event) => JSON.parse(event)) };
  }

  filterRecords(text) {
    const transform = this.filter.Transform.fromJson('{}');
    const events = [];
    const keep = (record, outputs) => {
      for (const output of outputs) {
        // A record that passes through comes back as the same text; anything else is an event.
        if (output !== record) events.push(output);
      }
    };
    const now = BigInt(Date.now());
    for (const line of text.split('\n')) {
      const record = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (record.trim() === '') continue;
      keep(record, transform.process(record, '', now));
    }
    keep(null, transform.finish());
    return events;
  }
}
