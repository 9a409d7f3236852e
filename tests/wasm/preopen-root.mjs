// Loaded by `jco run --jco-import` before a command runs: jco's WASI shim preopens nothing by
// default, so `oomlens analyze /abs/FILE` (and `--config FILE`) need the host's root mapped in.
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

_setPreopens({ '/': '/' });
