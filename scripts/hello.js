// hello.js: the first thing to run. It prints a greeting and the script's
// arguments (the global `args`), then hands work to other isolates with
// Isolate.run: each call starts a fresh isolate (its own VM, on its own
// goroutine), runs the function there with a copy of the argument, and
// resolves with a copy of the result.
//
//   go run . scripts/hello.js
//   go run . scripts/hello.js Ada Grace

console.log("Hello from isobox!");
console.log("args:", args);

async function main() {
  const names = args.length > 0 ? args : ["world"];
  for (const name of names) {
    // The function's source travels to the new isolate: it cannot see this
    // script's variables, only its argument.
    const shout = await Isolate.run((n) => `HELLO, ${n.toUpperCase()}!`, name);
    console.log("another isolate says:", shout);
  }
  const squares = await Isolate.run((n) => Array.from({ length: n }, (_, i) => i * i), 6);
  console.log("squares computed elsewhere:", squares);
}

main();
