// Mount release-engines in an Express 5 app: `npx tsx examples/express.ts`.
import express from "express";
import { createFetchHandler, createMemoryStore } from "release-engines";
import { createFileBlobStorage, loadDatasetFile, sendWebResponse, toWebRequest } from "release-engines/node";

const { dataset, root } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const handler = createFetchHandler({ store: createMemoryStore(dataset), blobs: createFileBlobStorage({ root }) });

const app = express();
app.get("/healthz", (_req, res) => {
  res.send("ok");
});
// Everything under /v1 is answered by the SDK; Express only converts the request and streams the answer.
app.use((req, res, next) => {
  if (!req.path.startsWith("/v1/")) return next();
  handler(toWebRequest(req, `${req.protocol}://${req.get("host") ?? "localhost"}`))
    .then((response) => sendWebResponse(response, res))
    .catch(next);
});

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : ""}`);
});
