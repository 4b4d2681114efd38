// entry-forms.js: every form of function can be an isolate's entry. The
// child gets the function's exact source text, cut out of this file, so
// arrows with any body, async functions, generators, object and class
// methods, and functions full of parentheses in strings, templates,
// regexes and comments all run there as written. An error inside one is
// reported at its line in this file.
//
//   go run . scripts/entry-forms.js

class Shape {
  static unit(n) { return { side: n, area: n * n } }
  scaled(k) { return (k * 2) }
  async later(k) { return (await k) + 1 }
}

function declared(n) {
  return (n + 1);
}

const forms = [
  ["arrow, expression body", (n) => n * 2, 21],
  ["arrow, object literal body", (o) => ({ s: o }), 1],
  ["arrow, parenthesized body", (x) => (x), 5],
  ["arrow, body ending in parentheses", (x) => 2 * (x + 1), 5],
  ["arrow, block body", (x) => { return [x, x] }, 3],
  ["async arrow", async (o) => ({ sum: o.a + o.b }), { a: 1, b: 2 }],
  ["function expression", function (n) { return n - 1 }, 10],
  ["function declaration", declared, 1],
  ["async function", async function (n) { await null; return n * 3 }, 3],
  ["method", { twice(n) { return n + n } }.twice, 4],
  ["async method", { async half(n) { return (n / 2) } }.half, 9],
  ["class static method", Shape.unit, 3],
  ["class method", Shape.prototype.scaled, 4],
  ["class async method", Shape.prototype.later, 6],
  ["default parameters", (a = (1), b = 2) => (a + b), undefined],
  ["destructured parameters", ({ a, b: [c] }) => (a * c), { a: 6, b: [7] }],
  ["rest parameters", (...xs) => (xs.length), "one"],
  ["template literal", (n) => (`(${n}) )`), 1],
  ["regex literal", (s) => (s.replace(/\)+/g, "]")), "a))b)"],
  ["comments with parentheses", (x) => (x /* ) ( */) // ) (
  , "ok"],
];

async function main() {
  for (const [name, fn, arg] of forms) {
    console.log(name.padEnd(34), "->", await Isolate.run(fn, arg));
  }
  // A generator runs too; what it returns, a generator object, cannot be
  // cloned back.
  await Isolate.run(function* (n) { yield n }, 1).catch((e) => console.log("generator".padEnd(34), "->", e.name));
  // An error is reported where it happens in this file.
  await Isolate.run((o) => {
    const depth = o.depth;
    return depth.toFixed(2);
  }, {}).catch((e) => console.log("error at", e.stack.split("\n")[1].trim().replace(/.*\//, "").replace(/\(\d+\)$/, "")));
  // Variables of this scope do not travel; the message says so.
  const secret = 42;
  await Isolate.run(() => secret).catch((e) => console.log(e.message));
}

main();
