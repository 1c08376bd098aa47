/**
 * Reading a wheel's METADATA from its zip (issue 13 item 5): real wheels from python's zipfile, and
 * hostile zips (bombs, lies about sizes and CRCs, several METADATA files, garbage) refused with null.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32, readWheelMetadata, requiresPythonOf, type ByteSource } from "../../src/engines/pypi/wheel.js";
import { buildWheel } from "../e2e/pip-helpers.js";

const source = (bytes: Uint8Array): ByteSource & { reads: number } => {
  const s = { size: bytes.length, reads: 0, read: async (offset: number, length: number) => (s.reads++, bytes.slice(offset, offset + length)) };
  return s;
};
const read = (bytes: Uint8Array) => readWheelMetadata(source(bytes));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Store instead of deflate. */
  stored?: boolean;
  /** Lie in the central directory. */
  crc?: number;
  uncompressed?: number;
  flags?: number;
}

/** A zip built by hand, so that each field can lie. */
function zip(entries: ZipEntry[], comment = ""): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = e.stored ? Buffer.from(e.data) : zlib.deflateRawSync(e.data);
    const crc = e.crc ?? zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(e.stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.uncompressed ?? e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(e.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.uncompressed ?? e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return new Uint8Array(Buffer.concat([...locals, directory, end, Buffer.from(comment)]));
}

const META = new TextEncoder().encode("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8, <4\n\nLong description\nRequires-Python: no\n");

let dir: string;
let real: Uint8Array;
let realMetadata: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "re-wheel-"));
  const built = buildWheel(dir, "demo_pkg", "2.0.0", ">=3.10");
  real = new Uint8Array(fs.readFileSync(path.join(dir, built.filename)));
  realMetadata = built.metadata;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("readWheelMetadata", () => {
  it("reads METADATA and Requires-Python from a wheel python's zipfile wrote", async () => {
    const found = await read(real);
    expect(found && text(found.metadata)).toBe(realMetadata);
    expect(found?.requiresPython).toBe(">=3.10");
  });

  it("reads the wheels in python's own test suite", async () => {
    const candidates = ["/root/.pyenv/versions/3.13.0/lib/python3.13/test/wheeldata/wheel-0.43.0-py3-none-any.whl"].filter((f) => fs.existsSync(f));
    for (const file of candidates) {
      const found = await read(new Uint8Array(fs.readFileSync(file)));
      expect(found && text(found.metadata)).toMatch(/^Metadata-Version: /);
      expect(found?.requiresPython).toBe(">=3.8");
    }
  });

  it("reads stored and deflated entries, with a zip comment, and only the headers' Requires-Python", async () => {
    for (const stored of [true, false]) {
      const found = await read(zip([{ name: "demo/__init__.py", data: new Uint8Array(10) }, { name: "demo-1.0.dist-info/METADATA", data: META, stored }], "a comment"));
      expect(found && text(found.metadata)).toBe(text(META));
      expect(found?.requiresPython).toBe(">=3.8, <4");
    }
  });

  it("refuses hostile zips with null: bombs, lying sizes and CRCs, encryption, several or nested METADATA, zip64, garbage", async () => {
    const bomb = new Uint8Array(5 * 1024 * 1024);
    const cases: Array<[string, Uint8Array]> = [
      ["empty", new Uint8Array(0)],
      ["garbage", new Uint8Array(5000).fill(7)],
      ["no METADATA", zip([{ name: "demo-1.0.dist-info/WHEEL", data: META }])],
      ["nested METADATA only", zip([{ name: "vendor/x-1.0.dist-info/METADATA", data: META }])],
      ["two METADATA", zip([{ name: "a-1.0.dist-info/METADATA", data: META }, { name: "b-1.0.dist-info/METADATA", data: META }])],
      ["the same METADATA twice", zip([{ name: "a-1.0.dist-info/METADATA", data: META }, { name: "a-1.0.dist-info/METADATA", data: META }])],
      ["bomb over the bound", zip([{ name: "a-1.0.dist-info/METADATA", data: bomb }])],
      ["bomb under a small declared size", zip([{ name: "a-1.0.dist-info/METADATA", data: new Uint8Array(1024 * 1024), uncompressed: 100 }])],
      ["short of its declared size", zip([{ name: "a-1.0.dist-info/METADATA", data: META, uncompressed: META.length + 1 }])],
      ["stored size mismatch", zip([{ name: "a-1.0.dist-info/METADATA", data: META, stored: true, uncompressed: 3 }])],
      ["wrong CRC", zip([{ name: "a-1.0.dist-info/METADATA", data: META, crc: 1234 }])],
      ["encrypted", zip([{ name: "a-1.0.dist-info/METADATA", data: META, flags: 1 }])],
    ];
    const zip64 = zip([{ name: "a-1.0.dist-info/METADATA", data: META }]);
    new DataView(zip64.buffer).setUint32(zip64.length - 6, 0xffffffff, true);
    cases.push(["zip64 marker", zip64]);
    const truncated = zip([{ name: "a-1.0.dist-info/METADATA", data: META }]);
    cases.push(["truncated", truncated.slice(0, truncated.length - 1)], ["prefix cut", truncated.slice(10)]);
    const bigComment = zip([{ name: "a-1.0.dist-info/METADATA", data: META }], "x".repeat(100));
    new DataView(bigComment.buffer).setUint16(bigComment.length - 102, 50, true);
    cases.push(["comment length lies", bigComment]);
    for (const [what, bytes] of cases) expect(await read(bytes), what).toBeNull();
  });

  it("never throws or hangs, whatever the bytes (random, or a real wheel with bytes changed or cut)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const found = await read(bytes);
        expect(found === null || found.metadata instanceof Uint8Array).toBe(true);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), async (edits, cut) => {
        const bytes = real.slice(0, real.length - (cut % 40));
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        const found = await read(bytes);
        // Whatever is found passed its CRC: it is the real METADATA or nothing.
        if (found !== null) expect(text(found.metadata)).toBe(realMetadata);
      }),
      { numRuns: 500 },
    );
  });
});

describe("requiresPythonOf", () => {
  it("takes the header field, folded lines included, and nothing from the body", () => {
    const of = (s: string) => requiresPythonOf(new TextEncoder().encode(s));
    expect(of("Name: x\r\nrequires-python:  >=3.7\r\n")).toBe(">=3.7");
    expect(of("Name: x\nRequires-Python: >=3.7,\n  <4\n")).toBe(">=3.7, <4");
    expect(of("Name: x\n\nRequires-Python: >=3.7\n")).toBeNull();
    expect(of("Requires-Python: >=3.7\nRequires-Python: >=3.8\n")).toBeNull();
    expect(of("Requires-Python: \n")).toBeNull();
    expect(of(`Requires-Python: ${">=3".repeat(200)}\n`)).toBeNull();
  });
});

describe("crc32", () => {
  it("agrees with zlib", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (b) => {
      expect(crc32(b)).toBe(zlib.crc32(b));
    }));
  });
});
