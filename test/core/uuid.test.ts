import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha1 } from "../../src/core/sha1.js";
import { isUuid, uuidV5 } from "../../src/core/uuid.js";

describe("uuidV5", () => {
  it("matches RFC 9562's example and Python's uuid5", () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });
  it("is a version 5, RFC variant UUID", () => {
    fc.assert(fc.property(fc.string(), (name) => {
      const id = uuidV5(name);
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe("5");
      expect("89ab").toContain(id[19]);
    }));
  });
});

describe("sha1", () => {
  it("agrees with node:crypto on any input, across block boundaries", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(Buffer.from(sha1(bytes)).toString("hex")).toBe(createHash("sha1").update(bytes).digest("hex"));
    }), { numRuns: 500 });
  });
});
