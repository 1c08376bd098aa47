import { createMemoryStore } from "../../src/store/memory.js";
import { runStoreConformance } from "../../src/testing.js";

runStoreConformance({ name: "memory", create: (dataset) => createMemoryStore(dataset) });
