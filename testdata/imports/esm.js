// A .js file with module syntax is a module (Node's detection).
import { v } from "./lib.mjs";
console.log("esm", v);
