// Serve the demo dataset with node:http: `npx tsx examples/node-http.ts` (PORT=0 picks a free port).
import { createServer } from "node:http";
import { createFetchHandler, createMemoryStore } from "release-engines";
import { createFileBlobStorage, loadDatasetFile, toNodeListener } from "release-engines/node";

const { dataset, root } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }) });

const server = createServer(toNodeListener(handler));
server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : ""}`);
});
