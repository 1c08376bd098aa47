// Call the engines as plain functions, without HTTP: `npx tsx examples/direct-call.ts`.
import { ANONYMOUS, createMemoryStore, listEngines, scopeOf } from "release-engines";
import { loadDatasetFile } from "release-engines/node";

const { dataset } = await loadDatasetFile(new URL("./demo/dataset.json", import.meta.url).pathname);
const store = createMemoryStore(dataset);
const account = await store.getAccount("demo");
if (account === null) throw new Error("demo account missing");

const now = new Date();
const result = await listEngines(
  { store, now, account, principal: ANONYMOUS, scope: scopeOf(ANONYMOUS, now), lookupScope: scopeOf(ANONYMOUS, now, true), origin: "http://localhost" },
  { path: "/v1/accounts/demo/engines", query: new URLSearchParams() },
);
const keys = (JSON.parse(result.body as string) as { data: Array<{ attributes: { key: string } }> }).data.map((e) => e.attributes.key);
console.log(`engines: ${keys.join(", ")}`);
