// A classic script: import() resolves from its own directory, in the
// process or in a worker process (which runs in /).
import("./lib.mjs").then((ns) => console.log("classic", ns.v, Object.prototype.toString.call(ns)));
