// The import rules of the library (see `_floors.ts`), checked on the real
// module graph as `deno info --json` reports it: every library module, its
// static and dynamic imports, type-only imports included.
import { assertEquals } from "@std/assert";
import { type Edge, FLOORS, floorViolations } from "./_floors.ts";

const root = new URL("../", import.meta.url);

function libraryModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(new URL(dir, root))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) walk(`${path}/`);
      else if (entry.name.endsWith(".ts")) found.push(path);
    }
  };
  for (const floor of Object.keys(FLOORS)) {
    if (floor.endsWith(".ts")) found.push(floor);
    else walk(`${floor}/`);
  }
  return found.sort();
}

async function libraryGraph(modules: readonly string[]): Promise<Edge[]> {
  // One root that imports every library module, so that modules only reached by URL (Worker entries) are in.
  const dir = await Deno.makeTempDir();
  const entry = `${dir}/all.ts`;
  try {
    await Deno.writeTextFile(entry, modules.map((m) => `import "${new URL(m, root).href}";\n`).join(""));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
    }).output();
    if (code !== 0) throw new Error(`deno info failed: ${new TextDecoder().decode(stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(stdout)) as {
      modules: { specifier: string; dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[] }[];
    };
    const relative = (url: string) => url.startsWith(root.href) ? url.slice(root.href.length) : undefined;
    const edges: Edge[] = [];
    for (const m of info.modules) {
      const from = relative(m.specifier);
      if (from === undefined || !modules.includes(from)) continue;
      for (const d of m.dependencies ?? []) {
        for (const resolved of [d.code?.specifier, d.type?.specifier]) {
          const to = resolved === undefined ? undefined : relative(resolved);
          if (to !== undefined && modules.includes(to)) edges.push({ from, to });
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the library's module graph keeps its floors: no import goes up, no private file is reached from outside its folder, no cycle", async () => {
  const modules = libraryModules();
  const edges = await libraryGraph(modules);
  // The graph was really read: the root entry imports the primitives.
  assertEquals(edges.some((e) => e.from === "mod.ts" && e.to === "primitives/lock.ts"), true);
  assertEquals(floorViolations(modules, edges), []);
});

Deno.test("the floor checker names each broken rule", () => {
  const modules = ["runtime/errors.ts", "backends/types.ts", "backends/atomics/_heap.ts", "primitives/lock.ts"];
  assertEquals(floorViolations(modules, [{ from: "primitives/lock.ts", to: "backends/types.ts" }]), []);
  assertEquals(floorViolations(modules, [{ from: "runtime/errors.ts", to: "primitives/lock.ts" }]), [
    "runtime/errors.ts imports primitives/lock.ts: floor 'primitives' (rank 2) is not below floor 'runtime' (rank 0)",
  ]);
  assertEquals(floorViolations(modules, [{ from: "primitives/lock.ts", to: "backends/atomics/_heap.ts" }]), [
    "primitives/lock.ts imports backends/atomics/_heap.ts: a file whose name starts with '_' is private to backends/atomics/",
  ]);
  assertEquals(
    floorViolations(modules, [
      { from: "backends/types.ts", to: "backends/atomics/_heap.ts" },
      { from: "backends/atomics/_heap.ts", to: "backends/types.ts" },
    ]),
    [
      "backends/types.ts imports backends/atomics/_heap.ts: a file whose name starts with '_' is private to backends/atomics/",
      "import cycle: backends/types.ts -> backends/atomics/_heap.ts",
    ],
  );
  assertEquals(floorViolations(["stray/x.ts"], []), ["stray/x.ts is on no floor: add 'stray' to FLOORS with its rank"]);
});
