// Node: the fetch handler behind the package's node:http adapter.
import * as RE from "release-engines";
import { serveFetchHandler } from "release-engines/node";
import { makeHandler } from "./app.mjs";

const server = await serveFetchHandler(await makeHandler(RE), { port: 0, host: "127.0.0.1" });
console.log(`listening on http://127.0.0.1:${server.address().port}`);
