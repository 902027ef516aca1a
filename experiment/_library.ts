// The one internal helper the experiment needs: the names of the registered backends.
export { backendNames } from "../backends/mod.ts";
