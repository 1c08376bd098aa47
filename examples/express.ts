// Mount release-engines in an Express 5 app: `npx tsx examples/express.ts`.
import express, { type NextFunction, type Request, type Response } from "express";
import { createFetchHandler, createMemoryStore, isSdkError, toJsonApiError } from "release-engines";
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
// An SDK error thrown while converting the request (a target that is not a path is 400) answers as JSON:API.
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (!isSdkError(error)) return next(error);
  const { status, error: body, headers } = toJsonApiError(error);
  res.status(status).set(headers).type("application/vnd.api+json").send(JSON.stringify({ errors: [body] }));
});

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : ""}`);
});
