// Type declarations for the globals of an isobox isolate.
//
// Write them next to your project with `isobox types > isobox.d.ts` and
// compile against them without the DOM library, e.g. in tsconfig.json:
//   { "compilerOptions": { "lib": ["ES2022"], "types": [] }, "files": ["isobox.d.ts", "main.ts"] }
// isobox itself never type-checks: it strips the types and runs the code.
//
// Every isolate has the isobox globals (Isolate, ports, timers, Timer,
// Capability, structuredClone, console, stdout/stderr, DOMException). The
// main isolate of the CLI also has stdin, exit and args; an isolate granted
// host functions by a Go embedder has host. The ECMAScript built-ins come
// from TypeScript's own lib (ES2022).

// ---------------------------------------------------------------------------
// Isolates

/** When a kill or ping takes effect, as in Dart. */
type IsolatePriority = "immediate" | "beforeNextEvent";

/** Per-isolate resource limits (options.limits); a child never gets more than its parent. */
interface IsolateLimits {
  /** JS call frames (default 10000, at most 50000). */
  maxStackDepth?: number;
  /** CPU time of one task, in ms. */
  maxTaskMs?: number;
  /** Wall time of one task, in ms. */
  maxTaskWallMs?: number;
  /** CPU time of all tasks over the isolate's life, in ms. */
  cpuMs?: number;
  /** Approximate heap attributed to the isolate, in MB. */
  memoryMb?: number;
  /** Queued, undelivered messages. */
  maxQueue?: number;
  /** Size of one cloned message, in bytes. */
  maxMessageBytes?: number;
  /** Live timers. */
  maxTimers?: number;
}

/** The options of Isolate.spawn, Isolate.spawnFile and Isolate.run. */
interface IsolateSpawnOptions {
  name?: string;
  paused?: boolean;
  errorsAreFatal?: boolean;
  /** Sent null (or the listener's response) when the isolate dies. */
  onExit?: SendPort;
  /** Sent an IsolateErrorEvent for each uncaught error. */
  onError?: SendPort;
  /** The global function (a module: the export) spawnFile calls with the message; default "main". */
  entry?: string;
  limits?: IsolateLimits;
  /** Run in a worker process: true for its own, a name for a shared group, false to stay in-process. */
  process?: boolean | string;
}

/** What an error listener receives. */
interface IsolateErrorEvent {
  name: string;
  message: string;
  stack: string;
  /** A copy of what was thrown. */
  error: unknown;
}

/** A transfer list: ArrayBuffers moved, not copied. */
type TransferList = Iterable<ArrayBuffer> | { transfer?: Iterable<ArrayBuffer> };

/** A handle on an isolate, as in Dart. */
declare class Isolate {
  private constructor();
  static readonly immediate: "immediate";
  static readonly beforeNextEvent: "beforeNextEvent";
  /** The isolate this code runs in. */
  static readonly current: Isolate;
  /** Starts an isolate running entry(message); entry captures no variable of this scope. */
  static spawn<T = unknown>(entry: (message: T) => unknown, message?: T, options?: IsolateSpawnOptions): Promise<Isolate>;
  /** Starts an isolate running a script or module file (relative to this isolate's file) and calls its main(message). */
  static spawnFile(path: string, message?: unknown, options?: IsolateSpawnOptions): Promise<Isolate>;
  /** Runs fn(arg) in a new isolate and resolves with a copy of its result (or rejects with a copy of its error). */
  static run<T, R>(fn: (arg: T) => R, arg?: T, options?: IsolateSpawnOptions): Promise<Awaited<R>>;
  /** Makes port this isolate's default port (the REPL's .send). */
  static publish(port: ReceivePort | SendPort): void;
  /** Ends this isolate, after sending message to port if given. */
  static exit(port?: SendPort | null, message?: unknown): void;
  readonly id: number;
  readonly name: string;
  readonly pauseCapability: Capability;
  /** Resolves when the isolate has ended. */
  readonly exited: Promise<void>;
  kill(options?: { priority?: IsolatePriority }): void;
  pause(capability?: Capability): Capability;
  resume(capability: Capability): void;
  ping(port: SendPort, options?: { response?: unknown; priority?: IsolatePriority }): void;
  addOnExitListener(port: SendPort, options?: { response?: unknown }): void;
  removeOnExitListener(port: SendPort): void;
  addErrorListener(port: SendPort): void;
  removeErrorListener(port: SendPort): void;
  setErrorsFatal(fatal: boolean): void;
}

/** The receiving end of a port; it keeps its isolate alive while open (unless keepAlive is false). */
declare class ReceivePort {
  constructor(name?: string);
  readonly sendPort: SendPort;
  readonly closed: boolean;
  keepAlive: boolean;
  /** Handles every message, in order; returns the port. */
  listen(handler: (message: any) => void): this;
  /** The first message; the port closes after it. */
  readonly first: Promise<any>;
  close(): void;
}

/** The sending end of a port; it travels in messages. */
declare class SendPort {
  private constructor();
  readonly id: number;
  send(message: unknown, transfer?: TransferList): void;
  postMessage(message: unknown, transfer?: TransferList): void;
}

/** An unforgeable token (pause/resume), as in Dart. */
declare class Capability {
  constructor();
  readonly id: number;
  equals(other: Capability): boolean;
}

// ---------------------------------------------------------------------------
// Timers

/** Dart's Timer: the callback gets the timer. */
declare class Timer {
  constructor(ms: number, callback: (timer: Timer) => void);
  static periodic(ms: number, callback: (timer: Timer) => void): Timer;
  readonly isActive: boolean;
  /** How many times a periodic timer has fired. */
  readonly tick: number;
  cancel(): void;
}

declare function setTimeout<A extends any[]>(handler: (...args: A) => void, timeout?: number, ...args: A): number;
declare function setInterval<A extends any[]>(handler: (...args: A) => void, timeout?: number, ...args: A): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
declare function queueMicrotask(callback: () => void): void;

// ---------------------------------------------------------------------------
// Messages, output, errors

/** Copies value by the structured clone algorithm (what a send does). */
declare function structuredClone<T>(value: T, options?: { transfer?: Iterable<ArrayBuffer> }): T;

interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  debug(...data: any[]): void;
  trace(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
}
declare var console: Console;

/** stdout and stderr: write(x) writes x's toString(), writeln adds a newline. */
interface IsolateOutput {
  write(value?: unknown): void;
  writeln(value?: unknown): void;
}
declare var stdout: IsolateOutput;
declare var stderr: IsolateOutput;

/** WebIDL's DOMException (DataCloneError has code 25). */
declare class DOMException extends Error {
  constructor(message?: string, options?: string | { name?: string; cause?: unknown });
  readonly name: string;
  readonly message: string;
  readonly code: number;
  static readonly INDEX_SIZE_ERR: 1;
  static readonly DOMSTRING_SIZE_ERR: 2;
  static readonly HIERARCHY_REQUEST_ERR: 3;
  static readonly WRONG_DOCUMENT_ERR: 4;
  static readonly INVALID_CHARACTER_ERR: 5;
  static readonly NO_DATA_ALLOWED_ERR: 6;
  static readonly NO_MODIFICATION_ALLOWED_ERR: 7;
  static readonly NOT_FOUND_ERR: 8;
  static readonly NOT_SUPPORTED_ERR: 9;
  static readonly INUSE_ATTRIBUTE_ERR: 10;
  static readonly INVALID_STATE_ERR: 11;
  static readonly SYNTAX_ERR: 12;
  static readonly INVALID_MODIFICATION_ERR: 13;
  static readonly NAMESPACE_ERR: 14;
  static readonly INVALID_ACCESS_ERR: 15;
  static readonly VALIDATION_ERR: 16;
  static readonly TYPE_MISMATCH_ERR: 17;
  static readonly SECURITY_ERR: 18;
  static readonly NETWORK_ERR: 19;
  static readonly ABORT_ERR: 20;
  static readonly URL_MISMATCH_ERR: 21;
  static readonly QUOTA_EXCEEDED_ERR: 22;
  static readonly TIMEOUT_ERR: 23;
  static readonly INVALID_NODE_TYPE_ERR: 24;
  static readonly DATA_CLONE_ERR: 25;
}

// ---------------------------------------------------------------------------
// Main-isolate globals: only the CLI's main isolate (and the REPL) has
// stdin, exit and args; host exists when a Go embedder grants functions.

interface IsolateStdin {
  /** The first line (null at end of input); the same promise every time. */
  readonly first: Promise<string | null>;
  /** The next line, null at end of input. */
  readLine(): Promise<string | null>;
}
declare var stdin: IsolateStdin;
/** Ends the process with code (main isolate only). */
declare function exit(code?: number): never;
/** The command line's arguments after the file. */
declare var args: string[];
/** Host functions the embedder granted, by name. */
declare var host: Record<string, (...args: any[]) => any>;

// ---------------------------------------------------------------------------
// ES modules: import.meta as isobox fills it in.

interface ImportMeta {
  /** The module's file: URL. */
  url: string;
  /** The module's absolute path. */
  filename: string;
  /** The module's directory. */
  dirname: string;
  /** Resolves a relative specifier to a file: URL. */
  resolve(specifier: string): string;
}

// ---------------------------------------------------------------------------
// The Web surface (being added on other branches: EventTarget, Worker,
// MessageChannel, BroadcastChannel, TextEncoder/TextDecoder, URL, crypto,
// performance, AbortController). Declared after lib.dom's shapes so that
// typed code can use them once they are merged. TestTypesGlobals lists
// these names as not yet installed; the integrator removes each from that
// list as it lands.

interface EventListener { (evt: Event): void }
interface EventListenerObject { handleEvent(object: Event): void }
type EventListenerOrEventListenerObject = EventListener | EventListenerObject;
interface EventInit { bubbles?: boolean; cancelable?: boolean; composed?: boolean }
interface AddEventListenerOptions { capture?: boolean; once?: boolean; passive?: boolean; signal?: AbortSignal }
interface EventListenerOptions { capture?: boolean }

declare class Event {
  constructor(type: string, eventInitDict?: EventInit);
  readonly type: string;
  readonly target: EventTarget | null;
  readonly currentTarget: EventTarget | null;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly defaultPrevented: boolean;
  readonly timeStamp: number;
  readonly isTrusted: boolean;
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation(): void;
}

declare class EventTarget {
  constructor();
  addEventListener(type: string, callback: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void;
  removeEventListener(type: string, callback: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void;
  dispatchEvent(event: Event): boolean;
}

interface MessageEventInit<T = any> extends EventInit { data?: T; origin?: string; lastEventId?: string; ports?: MessagePort[] }
declare class MessageEvent<T = any> extends Event {
  constructor(type: string, eventInitDict?: MessageEventInit<T>);
  readonly data: T;
  readonly origin: string;
  readonly lastEventId: string;
  readonly ports: ReadonlyArray<MessagePort>;
}

interface CustomEventInit<T = any> extends EventInit { detail?: T }
declare class CustomEvent<T = any> extends Event {
  constructor(type: string, eventInitDict?: CustomEventInit<T>);
  readonly detail: T;
}

interface ErrorEventInit extends EventInit { message?: string; filename?: string; lineno?: number; colno?: number; error?: any }
declare class ErrorEvent extends Event {
  constructor(type: string, eventInitDict?: ErrorEventInit);
  readonly message: string;
  readonly filename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly error: any;
}

interface StructuredSerializeOptions { transfer?: any[] }

declare class MessagePort extends EventTarget {
  private constructor();
  onmessage: ((this: MessagePort, ev: MessageEvent) => any) | null;
  onmessageerror: ((this: MessagePort, ev: MessageEvent) => any) | null;
  postMessage(message: any, transfer?: any[] | StructuredSerializeOptions): void;
  start(): void;
  close(): void;
}

declare class MessageChannel {
  constructor();
  readonly port1: MessagePort;
  readonly port2: MessagePort;
}

declare class BroadcastChannel extends EventTarget {
  constructor(name: string);
  readonly name: string;
  onmessage: ((this: BroadcastChannel, ev: MessageEvent) => any) | null;
  onmessageerror: ((this: BroadcastChannel, ev: MessageEvent) => any) | null;
  postMessage(message: any): void;
  close(): void;
}

interface WorkerOptions {
  type?: "classic" | "module";
  name?: string;
  credentials?: string;
  /** isobox: the worker's limits, as for Isolate.spawn. */
  limits?: IsolateLimits;
  /** isobox: run the worker in a worker process (or the named process group). */
  process?: boolean | string;
}

/**
 * The global object, in every isolate (self === globalThis). Inside a Worker it
 * also has name, postMessage, close and onmessage (see the Worker section of the README).
 */
declare var self: typeof globalThis & {
  readonly name?: string;
  postMessage?(message: any, transfer?: any[] | StructuredSerializeOptions): void;
  close?(): void;
  onmessage?: ((ev: MessageEvent) => any) | null;
  onmessageerror?: ((ev: MessageEvent) => any) | null;
};
declare class Worker extends EventTarget {
  constructor(scriptURL: string | URL, options?: WorkerOptions);
  onmessage: ((this: Worker, ev: MessageEvent) => any) | null;
  onmessageerror: ((this: Worker, ev: MessageEvent) => any) | null;
  onerror: ((this: Worker, ev: ErrorEvent) => any) | null;
  postMessage(message: any, transfer?: any[] | StructuredSerializeOptions): void;
  terminate(): void;
}

interface TextEncoderEncodeIntoResult { read: number; written: number }
declare class TextEncoder {
  constructor();
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): TextEncoderEncodeIntoResult;
}
interface TextDecoderOptions { fatal?: boolean; ignoreBOM?: boolean }
interface TextDecodeOptions { stream?: boolean }
declare class TextDecoder {
  constructor(label?: string, options?: TextDecoderOptions);
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView, options?: TextDecodeOptions): string;
}

declare class URLSearchParams {
  constructor(init?: string[][] | Record<string, string> | string | URLSearchParams);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(callbackfn: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: any): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}

declare class URL {
  constructor(url: string | URL, base?: string | URL);
  static canParse(url: string | URL, base?: string | URL): boolean;
  static parse(url: string | URL, base?: string | URL): URL | null;
  hash: string;
  host: string;
  hostname: string;
  href: string;
  readonly origin: string;
  password: string;
  pathname: string;
  port: string;
  protocol: string;
  search: string;
  readonly searchParams: URLSearchParams;
  username: string;
  toString(): string;
  toJSON(): string;
}

interface Algorithm { name: string }
type AlgorithmIdentifier = Algorithm | string;
type BufferSource = ArrayBufferView | ArrayBuffer;
interface SubtleCrypto {
  digest(algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer>;
}
interface Crypto {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
}
declare var crypto: Crypto;
declare var Crypto: { prototype: Crypto; new (): never };
declare var SubtleCrypto: { prototype: SubtleCrypto; new (): never };

/** Forgiving-base64 decoding; an InvalidCharacterError DOMException on bad input. */
declare function atob(data: string): string;
/** Base64 of a string of Latin-1 characters; an InvalidCharacterError DOMException otherwise. */
declare function btoa(data: string): string;

interface PerformanceEntry { readonly name: string; readonly entryType: string; readonly startTime: number; readonly duration: number; toJSON(): any }
declare var PerformanceEntry: { prototype: PerformanceEntry; new (): never };
interface PerformanceMark extends PerformanceEntry { readonly detail: any }
declare var PerformanceMark: { prototype: PerformanceMark; new (markName: string, markOptions?: { detail?: any; startTime?: number }): PerformanceMark };
interface PerformanceMeasure extends PerformanceEntry { readonly detail: any }
declare var PerformanceMeasure: { prototype: PerformanceMeasure; new (): never };
interface Performance {
  readonly timeOrigin: number;
  now(): number;
  mark(markName: string, markOptions?: { detail?: any; startTime?: number }): PerformanceMark;
  measure(measureName: string, startOrMeasureOptions?: string | { start?: string | number; end?: string | number; duration?: number }, endMark?: string): PerformanceMeasure;
  getEntries(): PerformanceEntry[];
  getEntriesByName(name: string, type?: string): PerformanceEntry[];
  getEntriesByType(type: string): PerformanceEntry[];
  clearMarks(markName?: string): void;
  clearMeasures(measureName?: string): void;
  toJSON(): any;
}
declare var performance: Performance;
declare var Performance: { prototype: Performance; new (): never };

declare class AbortSignal extends EventTarget {
  private constructor();
  static abort(reason?: any): AbortSignal;
  static timeout(milliseconds: number): AbortSignal;
  static any(signals: AbortSignal[]): AbortSignal;
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((this: AbortSignal, ev: Event) => any) | null;
  throwIfAborted(): void;
}
declare class AbortController {
  constructor();
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
