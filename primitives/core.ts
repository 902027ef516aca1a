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

/**
 * What every primitive's core has: its backend, its cells, its name for
 * reports. It is kept small (two fields): a shared-memory backend's
 * primitives are meant to be made by the hundred thousand. A subclass for
 * one kind of primitive (`RawLock`'s) puts `kind` on its prototype; `Core`
 * keeps it in a field.
 */
export class CoreBase implements Subject {
  /** The backend the primitive runs on. */
  readonly backend: Backend;
  /** The primitive's state. */
  readonly cells: Cells;
  /** The primitive's class name. */
  declare readonly kind: string;
  /** Constructor facts a handle carries (set only by primitives that have any). */
  declare facts?: Readonly<Record<string, unknown>>;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells its state needs.
   * @param options The constructor's options.
   * @param initialize Sets the initial state of new cells (not of cells revived from a handle, which are live).
   * @param keys The option keys the primitive's constructor reads: any other is refused.
   */
  constructor(
    kind: string,
    cellCount: number,
    options: CoreOptions | undefined,
    initialize?: (cells: Cells) => void,
    keys: readonly string[] = PRIMITIVE_OPTIONS,
  ) {
    checkOptions(`create ${kind}`, options, keys);
    const backend = this.backend = getBackend(options?.backend);
    if (options === undefined || !(REVIVE_AT in options)) {
      this.cells = backend.allocate(cellCount, kind);
      initialize?.(this.cells);
    } else {
      if (backend.adopt === undefined) {
        throw new TypeError(`Cannot revive ${kind}: the '${backend.name}' backend cannot share primitives`);
      }
      this.cells = backend.adopt(options[REVIVE_AT], kind, cellCount);
    }
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
    const record = this.backend.record;
    if (record !== undefined) record.call(this.backend, op, this);
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
    return { kind: this.kind, backend: backend.name, location: backend.locate(this.cells), facts };
  }
}

/** A primitive's core, with its kind in a field (see {@linkcode CoreBase}). */
export class Core extends CoreBase {
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
    super(kind, cellCount, options, initialize, keys);
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
