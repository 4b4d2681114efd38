// crash.js: throws at once; the REPL reports the error of an isolate it
// spawned.
function main() {
  throw new Error("crash.js failed");
}
