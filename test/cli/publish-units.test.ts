import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeDigest, hashFile, inferFiletype, readTauriSignature } from "../../src/cli/file-info.js";
import { CommandUsageError, canonicalVersion, connectionOf, listOf, metadataOf, normaliseHost, parseCommand } from "../../src/cli/flags.js";
import { apiHeaders, apiUrl, describeRefusal } from "../../src/cli/http-client.js";
import { startProgress } from "../../src/cli/progress.js";
import { RELEASE_COMMANDS } from "../../src/cli/publish.js";
import { UPLOAD_COMMAND } from "../../src/cli/upload.js";

const dir = mkdtempSync(join(tmpdir(), "re-pubcli-"));

describe("flag parsing", () => {
  it("takes keygen-cli's flags and refuses unknown ones with the command's usage", () => {
    const p = parseCommand(RELEASE_COMMANDS.new!, ["--version", "1.2.0", "--channel", "beta", "--entitlements", "A,B", "--entitlements", "C", "--no-auto-upgrade"]);
    expect(p.strings.version).toBe("1.2.0");
    expect(p.strings.channel).toBe("beta");
    expect(listOf(p.lists.entitlements!)).toEqual(["A", "B", "C"]);
    expect(p.booleans["no-auto-upgrade"]).toBe(true);
    let error: unknown;
    try {
      parseCommand(RELEASE_COMMANDS.publish!, ["--release", "1.0.0", "--bogus"]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommandUsageError);
    expect((error as CommandUsageError).message).toBe("unknown option '--bogus'");
    expect((error as CommandUsageError).usage).toMatch(/^Usage: release-engines publish \[options\]/);
    expect((error as CommandUsageError).usage).toContain("--release ID");
  });

  it("needs the positionals a command names, and no more", () => {
    expect(() => parseCommand(UPLOAD_COMMAND, ["--release", "1"])).toThrow("<path> is required");
    expect(() => parseCommand(RELEASE_COMMANDS.tag!, [])).toThrow("<tag> is required");
    expect(() => parseCommand(RELEASE_COMMANDS.publish!, ["extra"])).toThrow("unexpected argument 'extra'");
    expect(() => parseCommand(RELEASE_COMMANDS.publish!, ["--release"])).toThrow(/argument missing/);
    expect(parseCommand(RELEASE_COMMANDS.tag!, ["latest", "--release", "1.0.0"]).positionals).toEqual(["latest"]);
  });

  it("settles the connection from flags first, then keygen-cli's KEYGEN_* variables in its order", () => {
    const parsed = parseCommand(RELEASE_COMMANDS.publish!, ["--release", "1"]);
    const env = { KEYGEN_TOKEN: "t3", KEYGEN_PRODUCT_TOKEN: "t2", KEYGEN_ENVIRONMENT_TOKEN: "t1", KEYGEN_HOST: "keygen.example.com", KEYGEN_ACCOUNT_ID: "acme", KEYGEN_PRODUCT_ID: "app", KEYGEN_ENVIRONMENT: "staging" };
    expect(connectionOf(parsed, env, "")).toEqual({ host: "https://keygen.example.com", account: "acme", product: "app", token: "t1", environment: "staging" });
    expect(connectionOf(parsed, { KEYGEN_TOKEN: "t3", KEYGEN_PRODUCT_TOKEN: "t2" }, "").token).toBe("t2");
    expect(connectionOf(parsed, { KEYGEN_TOKEN: "t3" }, "")).toEqual({ host: "http://127.0.0.1:8080", account: undefined, product: undefined, token: "t3", environment: undefined });
    const flags = parseCommand(RELEASE_COMMANDS.publish!, ["--release", "1", "--token", "flag", "--host", "http://127.0.0.1:9/", "--account", "a", "--product", "p"]);
    expect(connectionOf(flags, env, "")).toMatchObject({ token: "flag", host: "http://127.0.0.1:9", account: "a", product: "p" });
    expect(() => connectionOf(parsed, {}, "")).toThrow("--token is required");
    expect(() => connectionOf(parsed, { KEYGEN_TOKEN: "t", KEYGEN_HOST: "api.keygen.sh" }, "")).toThrow("--account is required with https://api.keygen.sh");
  });

  it("normalises hosts as keygen-cli does and refuses what is not an origin", () => {
    expect(normaliseHost("api.keygen.sh", "")).toBe("https://api.keygen.sh");
    expect(normaliseHost("http://localhost:8080/", "")).toBe("http://localhost:8080");
    expect(normaliseHost("https://example.com/keygen/", "")).toBe("https://example.com/keygen");
    expect(() => normaliseHost("http://x/?a=1", "")).toThrow(CommandUsageError);
    expect(() => normaliseHost("http://u:p@x", "")).toThrow(CommandUsageError);
    expect(() => normaliseHost("http://[bad", "")).toThrow(CommandUsageError);
  });

  it("sends versions as keygen-cli does (lenient parse, canonical print) and refuses non-versions", () => {
    expect(canonicalVersion("1.2.3")).toBe("1.2.3");
    expect(canonicalVersion("v1.2")).toBe("1.2.0");
    expect(canonicalVersion("1")).toBe("1.0.0");
    expect(canonicalVersion("01.2.3-beta.1+build.5")).toBe("1.2.3-beta.1+build.5");
    expect(canonicalVersion("1.2.3.4")).toBeNull();
    expect(canonicalVersion("latest")).toBeNull();
    expect(canonicalVersion("1.0.0-")).toBeNull();
  });

  it("takes --metadata as a JSON object only", () => {
    expect(metadataOf('{"a":1}', "")).toEqual({ a: 1 });
    expect(metadataOf(undefined, "")).toBeUndefined();
    expect(() => metadataOf("[1]", "")).toThrow("--metadata must be a JSON object");
    expect(() => metadataOf("{", "")).toThrow(/--metadata is not valid JSON/);
  });
});

describe("URLs and headers", () => {
  it("uses /v1/accounts/{account}/ with an account and the single-account form without", () => {
    expect(apiUrl({ host: "https://api.keygen.sh", account: "acme" }, "releases/1.0.0", { product: "app", package: undefined })).toBe("https://api.keygen.sh/v1/accounts/acme/releases/1.0.0?product=app");
    expect(apiUrl({ host: "http://127.0.0.1:8080", account: undefined }, "artifacts", { release: "r", empty: "" })).toBe("http://127.0.0.1:8080/v1/artifacts?release=r");
    expect(apiUrl({ host: "https://h/base", account: "a b" }, "releases")).toBe("https://h/base/v1/accounts/a%20b/releases");
  });

  it("sends a Bearer token, JSON:API types and Keygen-Version, with Content-Type only on bodies", () => {
    expect(apiHeaders({ token: "tok", environment: undefined }, false, "ua")).toEqual({ Authorization: "Bearer tok", Accept: "application/vnd.api+json", "Keygen-Version": "1.7", "User-Agent": "ua" });
    expect(apiHeaders({ token: "tok", environment: "staging" }, true, "ua")).toMatchObject({ "Content-Type": "application/vnd.api+json", "Keygen-Environment": "staging" });
  });

  it("shows refusals plainly: status, title, detail, code and where", () => {
    expect(describeRefusal(422, [{ title: "Unprocessable resource", detail: "has already been taken", code: "VERSION_TAKEN", source: { pointer: "/data/attributes/version" } }], ""))
      .toEqual(["422 Unprocessable resource: has already been taken (VERSION_TAKEN) at /data/attributes/version"]);
    expect(describeRefusal(400, [{ title: "Bad request", detail: "is missing", source: { parameter: "platform" } }], "")).toEqual(["400 Bad request: is missing at parameter platform"]);
    expect(describeRefusal(502, [], "<html>\n  Bad gateway\n</html>")).toEqual(["the server answered 502: <html> Bad gateway </html>"]);
  });
});

describe("file facts", () => {
  it("infers filetypes as keygen-cli does, keeping tarball extensions whole", () => {
    const cases: Array<[string, string | null]> = [
      ["app_1.2.0_amd64.AppImage", "appimage"], ["app.AppImage.tar.gz", "tar.gz"], ["App.app.tar.gz", "tar.gz"],
      ["app_1.2.0_x64-setup.nsis.zip", "zip"], ["app_1.2.0_x64_en-US.msi", "msi"], ["demo_pkg-1.2.0-py3-none-any.whl", "whl"],
      ["demo_pkg-1.2.0.tar.gz", "tar.gz"], ["x.tar.zst", "tar.zst"], ["keygen_linux_amd64", null], ["libfoo.so.1", null],
      ["setup.EXE", "exe"], ["trailing.", null], ["app.tgz", "tgz"],
    ];
    for (const [name, type] of cases) expect([name, inferFiletype(name)]).toEqual([name, type]);
  });

  it("encodes digests in keygen-cli's four encodings", () => {
    const digest = createHash("sha256").update("hello").digest();
    expect(encodeDigest(digest, "hex")).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(encodeDigest(digest, "base64")).toBe("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
    expect(encodeDigest(digest, "base64raw")).toBe("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ");
    expect(encodeDigest(digest, "base64url")).toBe("LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
  });

  it("hashes a file as a stream, chunk by chunk, to the same digest as hashing it whole", async () => {
    const file = join(dir, "blob.bin");
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    writeFileSync(file, bytes);
    const chunks: number[] = [];
    const digest = await hashFile(file, "sha-512", (n) => chunks.push(n));
    expect(digest.equals(createHash("sha512").update(bytes).digest())).toBe(true);
    expect(chunks.length).toBe(4);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(bytes.length);
  });

  it("reads a Tauri .sig beside the file, trimmed, and refuses one that is not base64", async () => {
    const file = join(dir, "app.AppImage.tar.gz");
    writeFileSync(file, "x");
    expect(await readTauriSignature(file)).toBeNull();
    writeFileSync(`${file}.sig`, "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZQ==\n");
    expect(await readTauriSignature(file)).toBe("dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZQ==");
    writeFileSync(`${file}.sig`, "untrusted comment: raw minisign text\nRW...\n");
    await expect(readTauriSignature(file)).rejects.toThrow(/is not a Tauri signature/);
  });
});

describe("progress", () => {
  it("prints a line every interval when not a TTY, then a last line", () => {
    let t = 0;
    const lines: string[] = [];
    const p = startProgress({ label: "uploading a.bin", total: 4 * 1024 * 1024, write: (s) => lines.push(s), tty: false, intervalMs: 1000, now: () => t });
    for (let i = 0; i < 4; i++) {
      t += 600;
      p.add(1024 * 1024);
    }
    p.done();
    expect(lines).toEqual([
      "uploading a.bin: 2.0 MiB / 4.0 MiB (50%) 1.7 MiB/s\n",
      "uploading a.bin: 4.0 MiB / 4.0 MiB (100%) 1.7 MiB/s\n",
      "uploading a.bin: 4.0 MiB sent in 2.4 s\n",
    ]);
  });

  it("redraws one bar on a TTY and clears it at the end", () => {
    let t = 0;
    const out: string[] = [];
    const p = startProgress({ label: "up", total: 100, write: (s) => out.push(s), tty: true, columns: 80, now: () => t });
    t = 200;
    p.add(50);
    p.done();
    expect(out[1]).toMatch(/^\rup \[#+-+\] 50 B \/ 100 B  50% 250 B\/s\x1b\[K$/);
    expect(out.at(-1)).toBe("\r\x1b[K");
    expect(out.join("")).not.toContain("\n");
  });
});
