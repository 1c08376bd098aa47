import { createWritableMemoryStore } from "../../src/store/memory-write.js";
import { runStoreConformance } from "../../src/testing/conformance.js";
import { runWriteConformance } from "../../src/testing/write-conformance.js";

runWriteConformance({ name: "memory", create: (dataset) => createWritableMemoryStore(dataset) });
// A writable store still answers every read exactly as the read-only one does.
runStoreConformance({ name: "writable memory", create: (dataset) => createWritableMemoryStore(dataset) });
