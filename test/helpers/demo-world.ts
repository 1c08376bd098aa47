/**
 * The demo dataset (examples/demo) as the link and mount tests use it: a memory store, the file
 * blobs beside the dataset, the demo account's id, and a Tauri check that finds its 1.1.0 update.
 */
import { createFileBlobStorage, loadDatasetFile } from "../../src/node.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/types.js";
import type { BlobStorage } from "../../src/blobs/types.js";

/** The demo dataset file. */
export const DEMO_DATA = new URL("../../examples/demo/dataset.json", import.meta.url).pathname;

/** The query of a Tauri update check from demo-app 1.0.0 on linux x86_64. */
export const DEMO_TAURI_CHECK = "platform=linux&arch=x86_64&version=1.0.0";

/** A loaded demo world. */
export interface DemoWorld {
  store: Store;
  blobs: BlobStorage;
  /** The id of the `demo` account. */
  accountId: string;
}

/** Load the demo dataset into a fresh memory store with its file blobs. */
export async function loadDemoWorld(): Promise<DemoWorld> {
  const { dataset, root } = await loadDatasetFile(DEMO_DATA);
  const store = createMemoryStore(dataset);
  const account = await store.getAccount("demo");
  if (account === null) throw new Error("the demo dataset has no account 'demo'");
  return { store, blobs: createFileBlobStorage({ root }), accountId: account.id };
}
