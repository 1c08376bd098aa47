// Route release-engines from a Hono app (any runtime Hono runs on): `npx tsx examples/hono.ts`.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createFetchHandler, createMemoryStore } from "release-engines";
import { createFileBlobStorage, loadDatasetFile } from "release-engines/node";

const { dataset, root } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }) });

const app = new Hono();
app.get("/healthz", (c) => c.text("ok"));
app.all("/v1/*", (c) => handler(c.req.raw));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8080), hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
