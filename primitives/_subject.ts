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

/** A primitive's backend, cells and name for reports. */
export class Core implements Subject {
  /** The backend the primitive runs on. */
  readonly backend: Backend;
  /** The primitive's state. */
  readonly cells: Cells;
  /** `Kind#N`, unique in this isolate. */
  readonly label: string;
  /** Who holds the primitive, for deadlock reports. */
  holder?: () => string | undefined;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells its state needs.
   * @param options The constructor's options.
   */
  constructor(kind: string, cellCount: number, options: PrimitiveOptions | undefined) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`Cannot create ${kind} as 'options' must be an object: received ${describe(options)}`);
    }
    this.backend = getBackend(options?.backend);
    this.cells = this.backend.allocate(cellCount);
    this.label = `${kind}#${++serial}`;
  }
}
