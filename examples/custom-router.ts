// The engines under an Express 5 app's own paths, with its own auth middleware: `npx tsx examples/custom-router.ts`.
//   pip install --index-url http://license:DEMO-PRO-KEY@127.0.0.1:8080/downloads/pypi/simple/ demo-pro
//   curl "http://127.0.0.1:8080/updates/demo-app?platform=linux&arch=x86_64&version=1.0.0"
//   curl -L "http://127.0.0.1:8080/get/cli/latest/demo-tool_linux_amd64" -H "X-License-Key: DEMO-CLI-KEY" -o demo-tool
import express, { type NextFunction, type Request, type Response } from "express";
import {
  createEngineContext, createMemoryStore, createUrls, downloadArtifact, errorResult, isSdkError, pypiChallenge, pypiErrorResult,
  renderPep503Index, resolveRawArtifact, resolveTauriUpdate, toWebResponse, type EngineContext, type EngineResult,
} from "release-engines";
import { createFileBlobStorage, loadDatasetFile, sendWebResponse, toWebRequest } from "release-engines/node";

const { dataset, root } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const store = createMemoryStore(dataset);
const blobs = createFileBlobStorage({ root });
// Every link the engines hand out points at this app's own routes below (values arrive percent-encoded).
const urls = createUrls({
  links: {
    "pypi.index": () => "/downloads/pypi/simple/",
    "pypi.project": (p) => `/downloads/pypi/simple/${p.project}/`,
    "artifacts.file": (p) => `/downloads/files/${p.id}/${p.filename}`,
    "tauri.upgrade": (p) => `/updates/${p.package}`,
    "raw.artifact": (p) => `/get/${p.product}/${p.package === undefined ? "" : `@${p.package}/`}${p.release}/${p.artifact}`,
    blobs: () => "/downloads/", // signed blob URLs: /downloads/v1/blobs/…
  },
});

const app = express();
type Locals = { ctx: EngineContext; web: globalThis.Request };

// The app's own auth: its `X-License-Key` header becomes the SDK's `License` credential, then one call
// authenticates the caller and gives the engines their context (a bad key is a 401 here, before any route).
app.use(["/downloads", "/updates", "/get"], (req: Request, res: Response, next: NextFunction) => {
  const key = req.get("x-license-key");
  if (key !== undefined) req.headers.authorization = `License ${key}`;
  const web = toWebRequest(req, `${req.protocol}://${req.get("host") ?? "localhost"}`);
  createEngineContext({ store, account: "demo", urls }, web)
    .then((ctx) => {
      Object.assign(res.locals, { ctx, web } satisfies Locals);
      next();
    })
    .catch(next);
});

/** Send an engine's answer with the headers createFetchHandler adds. */
const send = (res: Response, result: Promise<EngineResult>, next: NextFunction) =>
  result.then((r) => sendWebResponse(toWebResponse(r, res.req.method), res)).catch(next);
const locals = (res: Response) => res.locals as Locals;
const query = (res: Response) => new URL(locals(res).web.url).searchParams;

app.get(["/downloads/pypi/simple/", "/downloads/pypi/simple/:project/"], (req, res, next) => {
  const { ctx, web } = locals(res);
  const project = req.params.project as string | undefined;
  const input = { trailingSlash: req.path.endsWith("/"), search: new URL(web.url).search, headers: web.headers };
  send(res, renderPep503Index(ctx, project === undefined ? input : { ...input, project }), next);
});
app.get("/downloads/files/:id/*filename", (req, res, next) => {
  const { ctx, web } = locals(res);
  send(res, downloadArtifact(ctx, { id: req.params.id, filename: req.params.filename.join("/"), query: query(res), headers: web.headers, blobs }), next);
});
app.get("/downloads/v1/blobs/*path", (req, res, next) => {
  const { ctx, web } = locals(res);
  const served = blobs.serve?.({ path: req.params.path.join("/"), query: query(res), headers: web.headers, method: req.method, store, now: ctx.now });
  if (served === undefined) return next();
  send(res, served, next);
});
app.get("/updates/:app", (req, res, next) => {
  const { ctx, web } = locals(res);
  send(res, resolveTauriUpdate(ctx, { package: req.params.app, query: query(res), headers: web.headers }), next);
});
app.get("/get/:product/*rest", (req, res, next) => {
  const { ctx } = locals(res);
  const rest = [...req.params.rest];
  const pkg = rest[0]?.startsWith("@") === true ? (rest.shift() as string).slice(1) : undefined;
  const release = rest.shift();
  if (release === undefined || rest.length === 0) return next();
  send(res, resolveRawArtifact(ctx, { product: req.params.product, ...(pkg !== undefined ? { package: pkg } : {}), release, artifact: rest.join("/"), query: query(res) }), next);
});

// Engines throw SDK errors (isSdkError: status, code, detail, source); errorResult is toJsonApiError's JSON:API document
// with the handler's headers, and the PyPI routes answer plain text with a Basic challenge, so pip sends its credentials.
app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
  if (!isSdkError(error)) return next(error);
  const pypi = req.path.startsWith("/downloads/pypi/");
  const result = pypi ? pypiErrorResult(error) : errorResult(error, crypto.randomUUID());
  if (pypi && result.status === 401) result.headers["WWW-Authenticate"] = pypiChallenge("demo");
  sendWebResponse(toWebResponse(result, req.method), res).catch(next);
});

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : ""}`);
});
