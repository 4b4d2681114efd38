// Loaded by the REPL: its import() resolves from this file, not the working directory.
globalThis.loadLib = () => import("./lib.mjs");
