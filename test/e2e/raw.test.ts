/**
 * Raw engine end to end: `release-engines serve` in a child process, real `curl -sSL` following
 * the raw link's 303, the artifact route's 303 and the signed blob URL to the exact bytes.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startListening, type Started } from "../helpers/process.js";
import { KEYS, writeRawDataset, type RawFixture } from "../raw/dataset.js";

const run = promisify(execFile);
let fx: RawFixture;
let server: Started | undefined;
let base: string;


beforeAll(async () => {
  fx = writeRawDataset();
  server = await startListening(["src/cli.ts", "serve", "--data", fx.file, "--port", "0"]);
  base = `${server.origin}/v1/accounts/test1/engines/raw`;
});

afterAll(async () => {
  await server?.stop();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** `curl -sSL` a URL into a file; the file's sha256 and the final HTTP status. */
async function curlDownload(url: string, headers: string[] = []): Promise<{ sha256: string; status: string }> {
  const out = path.join(fx.dir, `download-${Math.random().toString(36).slice(2)}`);
  const args = ["-sSL", "--max-redirs", "5", "-o", out, "-w", "%{http_code}", ...headers.flatMap((h) => ["-H", h]), url];
  const { stdout } = await run("curl", args);
  const sha256 = createHash("sha256").update(fs.readFileSync(out)).digest("hex");
  return { sha256, status: stdout.trim() };
}

describe("raw engine end to end with curl", () => {
  it("a License header follows both redirects to the exact bytes of the artifact", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    const got = await curlDownload(`${base}/cli/1.0.0/keygen_linux_amd64`, [`Authorization: License ${KEYS.cli}`]);
    expect(got.status).toBe("200");
    expect(got.sha256).toBe(fx.sha256(id));
  });

  it("`latest` downloads the tagged release's file, not another release's", async () => {
    const id = fx.artifact("cli", "1.1.0", "keygen_linux_amd64");
    const got = await curlDownload(`${base}/cli/latest/keygen_linux_amd64`, [`Authorization: License ${KEYS.cli}`]);
    expect(got.status).toBe("200");
    expect(got.sha256).toBe(fx.sha256(id));
    expect(got.sha256).not.toBe(fx.sha256(fx.artifact("cli", "1.0.0", "keygen_linux_amd64")));
  });

  it("`?auth=license:KEY` survives the redirect and downloads the exact bytes", async () => {
    const id = fx.artifact("cli", "1.0.0", "keygen_darwin_arm64");
    const got = await curlDownload(`${base}/cli/1.0.0/keygen_darwin_arm64?auth=license:${KEYS.cli}`);
    expect(got.status).toBe("200");
    expect(got.sha256).toBe(fx.sha256(id));
  });

  it("anonymous curl on a LICENSED product gets 404 JSON:API", async () => {
    const { stdout } = await run("curl", ["-sS", "-L", "-w", "\n%{http_code}", `${base}/cli/1.0.0/keygen_linux_amd64`]);
    const lines = stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("404");
    const body = JSON.parse(lines.slice(0, -1).join("\n")) as { errors: Array<{ detail: string; code: string }> };
    expect(body.errors[0]).toMatchObject({ code: "NOT_FOUND", detail: "The requested release artifact 'keygen_linux_amd64' was not found" });
  });

  it("HEAD (curl -I) answers 303 with the artifact route in Location", async () => {
    const { stdout } = await run("curl", ["-sSI", "-H", `Authorization: License ${KEYS.cli}`, `${base}/cli/1.0.0/keygen_linux_amd64`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 303/);
    const id = fx.artifact("cli", "1.0.0", "keygen_linux_amd64");
    expect(stdout).toMatch(new RegExp(`\\r\\nlocation: http://127\\.0\\.0\\.1:\\d+/v1/accounts/[0-9a-f-]+/artifacts/${id}/keygen_linux_amd64\\r\\n`, "i"));
  });
});
