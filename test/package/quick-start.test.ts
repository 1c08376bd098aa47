/**
 * The README's Quick start, run as written (only its port changed to a free one): it serves the
 * demo, and it listens on 127.0.0.1 only, as `release-engines serve` does by default.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 3));
const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Local addresses (hex, as /proc/net/tcp writes them) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const rows = ["tcp", "tcp6"].flatMap((f) => readFileSync(`/proc/net/${f}`, "utf8").split("\n").slice(1));
  return rows.map((r) => r.trim().split(/\s+/)).filter((c) => c[3] === "0A" && c[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, "0")}`)).map((c) => (c[1] as string).split(":")[0] as string);
}

const stops: Array<() => void> = [];
afterAll(() => stops.forEach((stop) => stop()));

it("the Quick start serves the demo on 127.0.0.1 and nowhere else", async () => {
  expect(snippet).toMatch(/\.listen\(8080, "127\.0\.0\.1"\)/);
  expect(section).toMatch(/serve --data dataset\.json --port 8080/);
  const port = await freePort();
  const dir = join(ROOT, ".tmp", "readme");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "quick-start.ts");
  writeFileSync(file, snippet.replace(".listen(8080,", `.listen(${port},`));
  const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: join(ROOT, "examples/demo"), stdio: ["ignore", "pipe", "pipe"] });
  stops.push(() => child.kill("SIGKILL"));
  let output = "";
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  let res: Response | null = null;
  for (let i = 0; i < 200 && res === null && child.exitCode === null; i++) {
    res = await fetch(`http://127.0.0.1:${port}/v1/accounts/demo/engines`).catch(() => null);
    if (res === null) await new Promise((r) => setTimeout(r, 100));
  }
  expect(res?.status, output).toBe(200);
  const keys = ((await (res as Response).json()) as { data: Array<{ attributes: { key: string } }> }).data.map((e) => e.attributes.key);
  expect(keys.sort()).toEqual(["pypi", "tauri"]);
  // One listening socket, on 127.0.0.1 (0100007F), not on every interface (00000000 or ::).
  expect(listeners(port)).toEqual(["0100007F"]);
});
