/**
 * What every primitive is made of: its backend, its cells and its label.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Cells, Subject } from "../backends/types.ts";
import { checkOptions } from "../runtime/options.ts";

/** The options every primitive's constructor takes. */
export interface PrimitiveOptions {
  /** The backend, by name or object; omitted, the default backend. */
  backend?: BackendChoice;
}

/** The keys of {@linkcode PrimitiveOptions}: all a primitive's constructor reads. */
export const PRIMITIVE_OPTIONS: readonly (keyof PrimitiveOptions)[] = ["backend"];

let serial = 0;

/**
 * An internal constructor option: the primitive takes the cells at this
 * location (a handle's, see `revive`) instead of allocating new ones, and
 * leaves their live state as it is.
 */
export const REVIVE_AT: unique symbol = Symbol("revive at");

/** The options a primitive's core reads: the public ones, and where to revive. */
export interface CoreOptions extends PrimitiveOptions {
  /** Where the cells of a revived primitive are (a handle's `location`). */
  readonly [REVIVE_AT]?: unknown;
}

/** The property under which a shareable primitive carries its handle. */
export const HANDLE_KEY = "@locksmith/threading";

/** What a structured clone of a shareable primitive carries: enough to revive it. */
export interface PrimitiveHandle {
  /** The primitive's class name, such as `Lock`. */
  readonly kind: string;
  /** The backend's name. */
  readonly backend: string;
  /** Where its cells live (the backend's `locate`). */
  readonly location: unknown;
  /** What its constructor was told that its cells do not hold (a bound, the parties, ...). */
  readonly facts: Readonly<Record<string, unknown>> | undefined;
}

// Labels' numbers, given on first use (or at construction, by a backend that
// numbers its own objects): a field per primitive would cost 8 bytes each.
const serials = new WeakMap<CoreBase, number>();

/** What a primitive's core is made over: its backend, and its cells from cell `at` on. */
export interface CoreCells {
  /** The backend the primitive runs on. */
  readonly backend: Backend;
  /** The cells its state is in. */
  readonly cells: Cells;
  /** The index in `cells` of its cell 0. */
  readonly at: number;
}

/** How {@linkcode coreCells} gives a primitive its cells. */
export interface CellsRequest {
  /** The option keys the primitive's constructor reads: any other is refused (default: `backend`). */
  readonly keys?: readonly string[];
  /** Sets the initial state of new cells of the primitive's own (not of a slot, which starts zeroed, nor of cells revived from a handle, which are live). */
  readonly initialize?: (cells: Cells) => void;
  /** Take a slot of cells shared with other primitives where the backend can (`Backend.allocateSlot`). */
  readonly slot?: boolean;
}

/**
 * Checks a primitive's constructor options and gives it its backend and
 * its cells: new ones, a slot of shared cells (`request.slot`), or, for a
 * revived primitive, the live cells its handle names.
 *
 * @param kind The primitive's class name.
 * @param cellCount How many cells its state needs.
 * @param options The constructor's options.
 * @param request Which options it reads, how new cells start, whether a slot will do.
 * @returns The backend, the cells and the index of cell 0 in them.
 */
export function coreCells(
  kind: string,
  cellCount: number,
  options: CoreOptions | undefined,
  request: CellsRequest = {},
): CoreCells {
  checkOptions(`create ${kind}`, options, request.keys ?? PRIMITIVE_OPTIONS);
  const backend = getBackend(options?.backend);
  if (options !== undefined && REVIVE_AT in options) {
    if (backend.adopt === undefined) {
      throw new TypeError(`Cannot revive ${kind}: the '${backend.name}' backend cannot share primitives`);
    }
    return { backend, cells: backend.adopt(options[REVIVE_AT], kind, cellCount), at: 0 };
  }
  if (request.slot && backend.allocateSlot !== undefined) {
    const { cells, at } = backend.allocateSlot(cellCount, kind);
    if (!backendsWithFullCells.has(backend)) checkCells(kind, backend, cells);
    return { backend, cells, at };
  }
  const cells = backend.allocate(cellCount, kind);
  if (!backendsWithFullCells.has(backend)) checkCells(kind, backend, cells);
  request.initialize?.(cells);
  return { backend, cells, at: 0 };
}

// What the primitives call on cells (`Cells` in backends/types.ts). A backend written against an older
// `Cells` (before `exchange`, `loadRelaxed` and `storeRelaxed`) is told so at its first primitive, not by a
// "not a function" at some later release.
const CELL_OPERATIONS = ["load", "store", "cas", "add", "exchange", "loadRelaxed", "storeRelaxed"] as const;
const backendsWithFullCells = new WeakSet<Backend>();

function checkCells(kind: string, backend: Backend, cells: Cells): void {
  const missing = CELL_OPERATIONS.filter((name) =>
    typeof (cells as unknown as Record<string, unknown>)[name] !== "function"
  );
  if (missing.length > 0) {
    throw new TypeError(
      `Cannot create ${kind} on backend '${backend.name}': its cells have no ${
        missing.map((name) => `${name}()`).join(", ")
      } (every method of Cells in backends/types.ts is needed)`,
    );
  }
  backendsWithFullCells.add(backend);
}

/**
 * What every primitive's core has: its backend, its cells, its name for
 * reports. Where they are kept is the subclass's choice: `Core` keeps them in
 * fields; `RawLock` (the `Lock` itself, for a `Lock`), made by the hundred
 * thousand on `atomics`, keeps a slot of shared cells and derives the rest.
 * A subclass for one kind of primitive (`RawLock`'s) puts `kind` on its
 * prototype; `Core` keeps it in a field.
 */
export abstract class CoreBase implements Subject {
  /** The backend the primitive runs on. */
  abstract readonly backend: Backend;
  /** The primitive's state: cells `at` and on. */
  abstract readonly cells: Cells;
  /** The index in `cells` of the primitive's cell 0 (on the prototype: 0). */
  declare readonly at: number;
  /** The primitive's class name. */
  declare readonly kind: string;
  /** Constructor facts a handle carries (set only by primitives that have any). */
  declare facts?: Readonly<Record<string, unknown>>;

  /**
   * @param backend The backend the primitive runs on.
   * @param kind The primitive's class name.
   */
  constructor(backend: Backend, kind: string) {
    // A backend may number its own objects (a fresh cooperative scheduler starts at 1).
    if (backend.nextSerial !== undefined) serials.set(this, backend.nextSerial(kind));
  }

  /** `Kind#N`, unique in this isolate. */
  get label(): string {
    let n = serials.get(this);
    if (n === undefined) serials.set(this, n = ++serial);
    return `${this.kind}#${n}`;
  }

  /**
   * A scheduling point before an operation that may wait: `undefined` where
   * the backend has none (go on at once), else a promise to await first (a
   * cooperative scheduler may run another thread meanwhile).
   *
   * @param op The operation, for the trace (`acquire`, `wait`, ...).
   */
  enter(op: string): Promise<void> | undefined {
    return schedulingPoint(this.backend, op, this);
  }

  /**
   * Records an operation that never waits (a release, notify or set) where
   * the backend keeps a trace; nothing elsewhere.
   *
   * @param op The operation.
   */
  record(op: string): void {
    const backend = this.backend;
    const record = backend.record;
    if (record !== undefined) record.call(backend, op, this);
  }

  /** Whether the backend keeps a trace (a lock then records its holder, for deadlock reports). */
  get traced(): boolean {
    return this.backend.record !== undefined;
  }

  /** Who holds the primitive, for deadlock reports (primitives with an owner override it). */
  holder(): string | undefined {
    return undefined;
  }

  /**
   * The handle a structured clone of the primitive carries.
   *
   * @param facts Constructor facts (default: `this.facts`).
   * @throws {TypeError} If the backend cannot share primitives.
   */
  handle(facts: Readonly<Record<string, unknown>> | undefined = this.facts): PrimitiveHandle {
    const backend = this.backend;
    if (backend.locate === undefined) {
      throw new TypeError(
        `Cannot share ${this.label} with another thread: it lives on the '${backend.name}' backend, whose state stays in one isolate (create it with { backend: "atomics" } to share it)`,
      );
    }
    return { kind: this.kind, backend: backend.name, location: backend.locate(this.cells, this.at), facts };
  }
}
Object.defineProperty(CoreBase.prototype, "at", { value: 0 });

/** A primitive's core, with its backend, cells and kind in fields (see {@linkcode CoreBase}). */
export class Core extends CoreBase {
  /** The backend the primitive runs on. */
  readonly backend: Backend;
  /** The primitive's state. */
  readonly cells: Cells;
  /** The primitive's class name. */
  declare readonly kind: string;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells its state needs.
   * @param options The constructor's options.
   * @param initialize Sets the initial state of new cells (not of revived ones).
   * @param keys The option keys the primitive's constructor reads: any other is refused.
   */
  constructor(
    kind: string,
    cellCount: number,
    options: CoreOptions | undefined,
    initialize?: (cells: Cells) => void,
    keys?: readonly string[],
  ) {
    const { backend, cells } = coreCells(kind, cellCount, options, { keys, initialize });
    super(backend, kind);
    this.backend = backend;
    this.cells = cells;
    (this as { kind: string }).kind = kind;
  }
}

/**
 * The scheduling point of `op` on `backend` (see `CoreBase.enter`), for the
 * waiting functions that are not primitives (`sleep`, `yieldNow`).
 *
 * @param backend The backend.
 * @param op The operation.
 * @param subject What it is on, for the trace.
 * @returns `undefined`, or a promise to await first.
 */
export function schedulingPoint(backend: Backend, op: string, subject: Subject): Promise<void> | undefined {
  const point = backend.schedulingPoint;
  return point === undefined ? undefined : point.call(backend, op, subject);
}

/**
 * Gives `primitive` the own, enumerable property a structured clone copies:
 * a getter (shared by every instance, so it costs no memory per primitive)
 * that returns the handle, or throws if the primitive cannot be shared. So
 * `postMessage(lock)` sends a handle that `revive` turns back into the lock,
 * and posting a primitive of an in-isolate backend fails at once.
 */
export function exposeHandle(primitive: object, descriptor: PropertyDescriptor): void {
  Object.defineProperty(primitive, HANDLE_KEY, descriptor);
}
