// The main isolate's globals: stdin, exit, args, host.
export {};

const line: string | null = await stdin.readLine();
const first: string | null = await stdin.first;
console.log(line, first, args.length);
if (typeof host !== "undefined") host.add?.(1, 2);
if (args.includes("--quit")) exit(3);
