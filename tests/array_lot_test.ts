// Puts a backend built in the suite from the seam alone (`backends/array_lot_backend.ts`:
// another parking lot, another kind of cells) under the whole conformance suite: the
// primitives, queues, pools and futures must work on it with no change of theirs.
import { registerBackend } from "@locksmith/threading";
import { ArrayLotBackend } from "./backends/array_lot_backend.ts";
import { allCases } from "./conformance/mod.ts";
import { runConformance } from "./conformance/_suite.ts";

const backend = new ArrayLotBackend();
registerBackend(backend.name, backend);
runConformance(backend, allCases);
