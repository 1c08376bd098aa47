/**
 * @module bench/hazel-server — W3's peer for the update check: hazel (npm `hazel-server`) on node:http,
 * its GitHub API stubbed by a loopback server in the same process (one release, one asset per
 * platform), so that it needs no network. hazel asks GitHub once and answers from its cache after.
 * Usage: node bench/hazel-server.mjs VERSION (prints `listening on http://HOST:PORT`).
 */
import { createServer } from "node:http";
import { createRequire } from "node:module";

const version = process.argv[2] ?? "2.0.0";
const listen = (server) => new Promise((done) => server.listen(0, "127.0.0.1", () => done(`http://127.0.0.1:${server.address().port}`)));

// The GitHub API as hazel reads it: GET /repos/{owner}/{repo}/releases → a list of releases with assets.
const notes = "Bench release notes: fixes and improvements.";
const asset = (name) => ({ name, url: `https://api.github.com/repos/bench/app/releases/assets/${name}`, browser_download_url: `https://github.com/bench/app/releases/download/v${version}/${name}`, content_type: "application/octet-stream", size: 12_345_678 });
const releases = JSON.stringify([{
  tag_name: version, draft: false, prerelease: false, body: notes, published_at: "2024-01-01T00:00:00Z",
  assets: [asset(`App-${version}-mac.zip`), asset(`App-${version}.AppImage`), asset(`App-${version}.exe`), asset(`App-${version}.deb`)],
}]);
const github = createServer((req, res) => {
  if (req.url.startsWith("/repos/bench/app/releases")) res.writeHead(200, { "content-type": "application/json" }).end(releases);
  else res.writeHead(404).end();
});
const githubOrigin = await listen(github);

// hazel calls node-fetch with https://api.github.com; point that module at the stub before hazel loads it.
const require = createRequire(createRequire(import.meta.url).resolve("hazel-server/lib/cache.js"));
const fetchPath = require.resolve("node-fetch");
const realFetch = require(fetchPath);
const stubbed = Object.assign((url, opts) => realFetch(String(url).replace("https://api.github.com", githubOrigin), opts), realFetch);
stubbed.default = stubbed;
require.cache[fetchPath].exports = stubbed;
const hazel = require("hazel-server/lib/index.js")({ account: "bench", repository: "app" });

const originalLog = console.log;
console.log = () => {}; // hazel logs every cache refresh
const server = createServer(hazel);
server.keepAliveTimeout = 5_000;
const origin = await listen(server);
originalLog(`listening on ${origin}`);
process.once("SIGTERM", () => process.exit(0));
