/**
 * What every primitive is made of: its backend, its cells and its label.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Cells, Subject } from "../backends/types.ts";
import { describe } from "./_wait_options.ts";

/** The options every primitive's constructor takes. */
export interface PrimitiveOptions {
  /** The backend, by name or object; omitted, the default backend. */
  backend?: BackendChoice;
}

let serial = 0;
// The location of a handle's cells, while `revive` re-creates its primitive.
let adopting: { readonly location: unknown } | undefined;

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

/**
 * Runs `make` (a primitive's constructor call) so that the primitive takes
 * the cells at `location` instead of allocating new ones (used by `revive`).
 */
export function constructOver<T>(location: unknown, make: () => T): T {
  const outer = adopting;
  adopting = { location };
  try {
    return make();
  } finally {
    adopting = outer;
  }
}

/** A primitive's backend, cells and name for reports. */
export class Core implements Subject {
  /** The backend the primitive runs on. */
  readonly backend: Backend;
  /** The primitive's state. */
  readonly cells: Cells;
  /** The primitive's class name. */
  readonly kind: string;
  /** Unique in this isolate; the label is made from it on demand. */
  readonly serial: number;
  /** The cells came from a handle: their state is live, and the constructor must not initialise it. */
  readonly adopted: boolean;
  /** Who holds the primitive, for deadlock reports. */
  holder?: () => string | undefined;
  /** Constructor facts a handle carries (set by primitives that have any). */
  facts: Readonly<Record<string, unknown>> | undefined = undefined;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells its state needs.
   * @param options The constructor's options.
   */
  constructor(kind: string, cellCount: number, options: PrimitiveOptions | undefined) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`Cannot create ${kind} as 'options' must be an object: received ${describe(options)}`);
    }
    const backend = this.backend = getBackend(options?.backend);
    const adopt = adopting;
    adopting = undefined;
    if (adopt === undefined) {
      this.cells = backend.allocate(cellCount, kind);
      this.adopted = false;
    } else {
      if (backend.adopt === undefined) {
        throw new TypeError(`Cannot revive ${kind}: the '${backend.name}' backend cannot share primitives`);
      }
      this.cells = backend.adopt(adopt.location, kind, cellCount);
      this.adopted = true;
    }
    this.kind = kind;
    // A backend may number its own objects (a fresh cooperative scheduler starts at 1).
    this.serial = backend.nextSerial?.(kind) ?? ++serial;
  }

  /** `Kind#N`, unique in this isolate. */
  get label(): string {
    return `${this.kind}#${this.serial}`;
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
