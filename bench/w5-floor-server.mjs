/**
 * @module bench/w5-floor-server — W5's floor: a bare node:http server that reads and `JSON.parse`s the
 * dataset file before it listens, and does nothing else with it.
 * Usage: node bench/w5-floor-server.mjs DATASET.json (prints `listening on http://HOST:PORT`).
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const parsed = JSON.parse(readFileSync(process.argv[2], "utf8"));
const server = createServer((_req, res) => res.writeHead(parsed === null ? 500 : 204).end());
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => process.exit(0));
