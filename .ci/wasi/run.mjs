// Runs a wasm32-wasip1 program (a cargo test binary) under Node's WASI, as cargo's runner:
//   CARGO_TARGET_WASM32_WASIP1_RUNNER="node .ci/wasi/run.mjs"
// The working directory is preopened as "." (tests read testdata/), the environment is passed
// through (SSIM_REQUIRE_BACKENDS), and the exit code is the program's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: process.env,
  preopens: { '.': process.cwd(), '/': '/' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
