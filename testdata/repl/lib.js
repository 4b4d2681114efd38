// lib.js: loaded into the REPL by .load in the tests.
function twice(x) {
  return x * 2;
}
"lib loaded";
