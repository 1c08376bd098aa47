/**
 * @module bench/lib/nginx — W3's peer for the PyPI page: Debian's nginx serving one pre-rendered file
 * (and its `.gz` beside it, `gzip_static`) from a throwaway prefix with its own configuration, one
 * process (`master_process off`), as `nobody` when the bench runs as root.
 */
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinned, SERVER_CORE } from "./pin.mjs";

/** Where Debian's nginx package puts its binary. */
export const NGINX = "/usr/sbin/nginx";

const freePort = () => new Promise((done, fail) => {
  const s = createServer().once("error", fail).listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => done(port));
  });
});
const accepts = (port) => new Promise((done) => {
  const socket = connect(port, "127.0.0.1", () => { socket.destroy(); done(true); }).once("error", () => done(false));
});

/**
 * Start nginx serving `body` (and `gzipped`, its gzip) with `contentType` at `/{name}`: `{ url, child,
 * stop() }`, or `{ unavailable: reason }` when nginx is not installed.
 */
export async function startNginx({ name, body, gzipped, contentType }) {
  if (!existsSync(NGINX)) return { unavailable: `${NGINX} is missing (apt-get install nginx-light; .ci/run installs it)` };
  const dir = mkdtempSync(join(tmpdir(), "re-bench-nginx-"));
  const asRoot = process.getuid?.() === 0;
  const own = (path) => { if (asRoot) chownSync(path, 65534, 65534); };
  chmodSync(dir, 0o755);
  own(dir);
  for (const sub of ["www", "tmp"]) { mkdirSync(join(dir, sub)); own(join(dir, sub)); }
  writeFileSync(join(dir, "www", name), body);
  writeFileSync(join(dir, "www", `${name}.gz`), gzipped);
  const port = await freePort();
  const t = join(dir, "tmp");
  writeFileSync(join(dir, "nginx.conf"), `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fastcgi; uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;
  types { }
  default_type ${contentType};
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    gzip_static on;
  }
}
`);
  const child = spawn(...pinned(SERVER_CORE, NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")]), {
    stdio: ["ignore", "ignore", "pipe"], ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const stop = () => new Promise((done) => {
    const finish = () => { rmSync(dir, { recursive: true, force: true }); done(); };
    if (child.exitCode !== null || child.signalCode !== null) return finish();
    child.once("exit", finish);
    child.kill("SIGTERM");
  });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}`, child, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not start: ${stderr}`);
}
