// Puts the memory:// engine under the shared conformance cases.
import { MemoryServer } from "@locksmith/threading/distributed";
import { runDistributedConformance } from "./distributed/_conformance.ts";

runDistributedConformance("memory", () => Promise.resolve({ url: new MemoryServer().url, prefix: "conformance" }));
