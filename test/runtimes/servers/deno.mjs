// Deno: `deno run --allow-net deno.mjs` — the package by its npm: specifier, the handler passed to Deno.serve.
import * as RE from "npm:release-engines";
import { makeHandler } from "./app.mjs";

const handler = await makeHandler(RE);
Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) }, handler);
