// What a Lock on `atomics` is made of, read from a V8 heap snapshot: its
// objects and their sizes are its layout, not a measurement, so this fails
// as soon as a Lock grows a field or an object of its own again (issue 13:
// a program may make hundreds of thousands of them).
import { assert, assertEquals } from "@std/assert";
import v8 from "node:v8";
import { Lock } from "@locksmith/threading";
import { HANDLE_KEY } from "../primitives/core.ts";

/** Holds the locks under a name of its own, so that the snapshot finds them. */
class FootprintProbe {
  constructor(readonly locks: Lock[]) {}
}

interface SnapshotNode {
  readonly type: string;
  readonly name: string;
  readonly id: number;
  readonly selfSize: number;
  readonly edges: readonly { readonly type: string; readonly name: string | number; readonly to: number }[];
}

/** A heap snapshot, with its nodes read one at a time. */
class Snapshot {
  readonly #nodes: number[];
  readonly #edges: number[];
  readonly #strings: string[];
  readonly #nodeTypes: string[];
  readonly #edgeTypes: string[];
  readonly #nodeFields: number;
  readonly #edgeFields: number;
  readonly #firstEdge: number[] = [];

  constructor(json: string) {
    const snapshot = JSON.parse(json);
    const meta = snapshot.snapshot.meta;
    this.#nodes = snapshot.nodes;
    this.#edges = snapshot.edges;
    this.#strings = snapshot.strings;
    this.#nodeTypes = meta.node_types[0];
    this.#edgeTypes = meta.edge_types[0];
    this.#nodeFields = meta.node_fields.length;
    this.#edgeFields = meta.edge_fields.length;
    // Node fields: type, name, id, self_size, edge_count, ...; a node's edges follow the previous node's.
    for (let i = 0, edge = 0; i < this.#nodes.length; i += this.#nodeFields) {
      this.#firstEdge.push(edge);
      edge += this.#nodes[i + 4] * this.#edgeFields;
    }
  }

  /** The first object node of class `name`. */
  find(name: string): SnapshotNode {
    for (let n = 0; n < this.#firstEdge.length; n++) {
      const node = this.node(n);
      if (node.type === "object" && node.name === name) return node;
    }
    throw new Error(`the snapshot has no ${name}`);
  }

  /** Node `n`, with its outgoing edges (type, name or index, target node). */
  node(n: number): SnapshotNode {
    const i = n * this.#nodeFields;
    const edges = [];
    for (let k = 0; k < this.#nodes[i + 4]; k++) {
      const e = this.#firstEdge[n] + k * this.#edgeFields;
      const type = this.#edgeTypes[this.#edges[e]];
      const name = type === "element" || type === "hidden" ? this.#edges[e + 1] : this.#strings[this.#edges[e + 1]];
      edges.push({ type, name, to: this.#edges[e + 2] / this.#nodeFields });
    }
    return {
      type: this.#nodeTypes[this.#nodes[i]],
      name: this.#strings[this.#nodes[i + 1]],
      id: this.#nodes[i + 2],
      selfSize: this.#nodes[i + 3],
      edges,
    };
  }

  /** The node that `from`'s edge named `name` leads to. */
  follow(from: SnapshotNode, name: string | number): SnapshotNode {
    const edge = from.edges.find((e) => String(e.name) === String(name));
    if (edge === undefined) {
      throw new Error(`${from.name} has no edge '${name}': ${from.edges.map((e) => e.name).join(", ")}`);
    }
    return this.node(edge.to);
  }
}

async function takeSnapshot(): Promise<Snapshot> {
  let json = "";
  for await (const chunk of v8.getHeapSnapshot()) json += chunk;
  return new Snapshot(json);
}

/** Its own properties, as the heap holds them: the map and the prototype are shared, not its own. */
function fieldsOf(node: SnapshotNode): (string | number)[] {
  return node.edges.filter((e) => e.type === "property" && e.name !== "__proto__").map((e) => e.name);
}

Deno.test("a Lock on atomics is one object of at most 40 bytes, its cells and its slot; its cells are its slab's", async () => {
  // Enough locks for V8 to settle their objects' size (slack tracking), two of them looked at.
  const probe = new FootprintProbe(Array.from({ length: 100 }, () => new Lock({ backend: "atomics" })));
  // Its cells and slot, not enumerable, and the handle's accessor, which lives in the shared map: a
  // structured clone carries only the handle.
  assertEquals(Reflect.ownKeys(probe.locks[99]), ["cells", "at", HANDLE_KEY]);
  assertEquals(Object.keys(probe.locks[99]), [HANDLE_KEY]);
  const snapshot = await takeSnapshot();
  const elements = snapshot.follow(snapshot.follow(snapshot.find("FootprintProbe"), "locks"), "elements");
  const [last, beforeLast] = [99, 98].map((i) => snapshot.follow(elements, i));
  for (const lock of [last, beforeLast]) {
    assertEquals(lock.name, "Lock");
    const fields = fieldsOf(lock).filter((name) => name !== HANDLE_KEY && name !== `get ${HANDLE_KEY}`);
    assertEquals(fields, ["cells", "at"], "a Lock holds its cells and its slot, nothing else");
    assert(lock.selfSize <= 40, `a Lock takes ${lock.selfSize} bytes, not 40 at most`);
  }
  // The cells object is their slab's, shared: a slab holds dozens of locks, so 100 locks are in a few.
  const cells = new Set<number>();
  for (let i = 0; i < probe.locks.length; i++) {
    cells.add(snapshot.follow(snapshot.follow(elements, i), "cells").id);
  }
  assert(cells.size <= 4, `100 Locks have ${cells.size} cells objects`);
});
