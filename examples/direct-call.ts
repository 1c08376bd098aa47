// Call the engines as plain functions, without HTTP: `npx tsx examples/direct-call.ts`.
import { ANONYMOUS, createEngineContext, createMemoryStore, listEngines, renderPep503Index, scopeOf } from "release-engines";
import { loadDatasetFile } from "release-engines/node";

const { dataset } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const store = createMemoryStore(dataset);
const account = await store.getAccount("demo");
if (account === null) throw new Error("demo account missing");

// An anonymous caller, its context written out by hand.
const now = new Date();
const result = await listEngines(
  { store, now, account, principal: ANONYMOUS, scope: scopeOf(ANONYMOUS, now), lookupScope: scopeOf(ANONYMOUS, now, true), origin: "http://localhost" },
  { path: "/v1/accounts/demo/engines", query: new URLSearchParams() },
);
const keys = (JSON.parse(result.body as string) as { data: Array<{ attributes: { key: string } }> }).data.map((e) => e.attributes.key);
console.log(`engines: ${keys.join(", ")}`);

// A licensed caller: createEngineContext authenticates the request's credentials (here pip's Basic license:<key>).
const request = new Request("http://localhost/simple/", { headers: { Authorization: `Basic ${btoa("license:DEMO-PRO-KEY")}`, Accept: "text/html" } });
const ctx = await createEngineContext({ store, account: "demo" }, request);
const page = await renderPep503Index(ctx, { trailingSlash: true, search: "", headers: request.headers });
const projects = [...new TextDecoder().decode(page.body as Uint8Array).matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1]);
console.log(`DEMO-PRO-KEY sees: ${projects.join(", ")}`);
