/**
 * Pure pieces of the PyPI engine: negotiation tables, hash conversion, escaping, filenames, times.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/engines/pypi/html.js";
import { dataAttributeName, pep503Hash, uploadTimeOf, versionFromFilename } from "../../src/engines/pypi/files.js";
import { negotiateEncoding, negotiatePypiFormat } from "../../src/engines/pypi/negotiate.js";
import { PIP_ACCEPT } from "./fixture.js";

describe("negotiatePypiFormat", () => {
  it.each([
    [PIP_ACCEPT, false, "json"],
    [PIP_ACCEPT, true, "v1html"],
    [null, false, "html"],
    ["", false, "html"],
    ["*/*", false, "html"],
    ["application/*", false, "v1html"],
    ["application/vnd.pypi.simple.v1+json;q=0.5, text/html;q=0.4", false, "json"],
    ["application/vnd.pypi.simple.latest+json", false, "json"],
    ["application/vnd.pypi.simple.latest+html", false, "v1html"],
    ["application/vnd.pypi.simple.v1+json, text/html", false, "html"],
    ["*/*;q=0.1, application/vnd.pypi.simple.v1+json", false, "json"],
    ["application/json", false, null],
    ["text/*;q=0, */*", false, "v1html"],
    ["text/html;q=0", false, null],
    ["application/vnd.pypi.simple.v1+json", true, null],
    ["garbage", false, null],
  ] as const)("%s (htmlOnly %s) → %s", (accept, htmlOnly, expected) => {
    expect(negotiatePypiFormat(accept, htmlOnly)).toBe(expected);
  });
});

describe("negotiateEncoding", () => {
  it.each([
    [null, false, "identity"],
    ["gzip, deflate", false, "gzip"],
    ["br, gzip", false, "gzip"],
    ["br, gzip;q=0.5", true, "br"],
    ["gzip;q=0", false, "identity"],
    ["*", false, "gzip"],
    ["identity", false, "identity"],
  ] as const)("%s (brotli %s) → %s", (header, brotli, expected) => {
    expect(negotiateEncoding(header, brotli)).toBe(expected);
  });
});

describe("pep503Hash", () => {
  it("agrees for hex and base64 of the same bytes and only hashes known lengths", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      const b64 = btoa(String.fromCharCode(...bytes));
      const known = [16, 20, 28, 32, 48, 64].includes(bytes.length);
      const fromHex = pep503Hash(hex.toUpperCase());
      expect(fromHex === null).toBe(!known || bytes.length === 0);
      if (known) {
        expect(fromHex?.hex).toBe(hex);
        // A base64 text that is also valid hex is read as hex (Keygen tests hex first).
        if (!/^[0-9a-fA-F]+$/.test(b64)) expect(pep503Hash(b64)).toEqual(fromHex);
      }
    }), { numRuns: 300 });
  });
  it("reads a 0x prefix and refuses odd-length hex and junk", () => {
    expect(pep503Hash(`0x${"a".repeat(64)}`)).toEqual({ name: "sha256", hex: "a".repeat(64) });
    expect(pep503Hash("a".repeat(63))).toBeNull();
    expect(pep503Hash("not base64!")).toBeNull();
  });
});

describe("escaping and names", () => {
  it("escapes every markup character and decodes back", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const e = escapeHtml(s);
      expect(e).not.toMatch(/[<>"']/);
      const decoded = e.replace(/&(lt|gt|quot|#39|amp);/g, (_, x: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[x] as string);
      expect(decoded).toBe(s);
    }), { numRuns: 300 });
  });
  it("dasherises metadata keys like Rails and refuses unusable names", () => {
    expect(dataAttributeName("requiresPython")).toBe("requires-python");
    expect(dataAttributeName("some_key")).toBe("some-key");
    expect(dataAttributeName("HTTPServer")).toBe("httpserver");
    expect(dataAttributeName('x" onclick="y')).toBeNull();
    expect(dataAttributeName("")).toBeNull();
  });
  it("takes versions from wheel and sdist filenames", () => {
    expect(versionFromFilename("demo_pkg-1.0b1-py3-none-any.whl")).toBe("1.0b1");
    expect(versionFromFilename("demo_pkg-1.0-1build-py3-none-any.whl")).toBe("1.0");
    expect(versionFromFilename("demo_pkg-2.0.tar.gz")).toBe("2.0");
    expect(versionFromFilename("demo-pkg-2.0.zip")).toBe("2.0");
    expect(versionFromFilename("app.AppImage")).toBeNull();
    expect(versionFromFilename("bad.whl")).toBeNull();
  });
  it("writes PEP 700 upload times with six fraction digits", () => {
    expect(uploadTimeOf("2026-01-02T03:04:05Z")).toBe("2026-01-02T03:04:05.000000Z");
    expect(uploadTimeOf("2026-01-02T03:04:05.123+01:00")).toBe("2026-01-02T02:04:05.123000Z");
  });
});
