/**
 * Request bodies read with a byte cap: `twine upload`'s multipart form is parsed by the platform
 * straight from the capped stream (held once, by the form), and the cap still answers 413, by the
 * declared length or as the bytes stream, without reading past it.
 */
import { describe, expect, it } from "vitest";
import { readCappedForm } from "../../src/http/body.js";
import { CALLERS, makeWorld } from "./publish-world.js";

/** A multipart body as twine sends one: some fields and a file part. */
async function twineForm(content: Uint8Array): Promise<{ type: string; bytes: Uint8Array }> {
  const form = new FormData();
  form.set(":action", "file_upload");
  form.set("name", "acme-tools");
  form.set("version", "9.9.9");
  form.set("content", new Blob([content as BlobPart]), "acme_tools-9.9.9-py3-none-any.whl");
  const res = new Response(form);
  return { type: res.headers.get("content-type") as string, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const streamOf = (bytes: Uint8Array, chunk = 4096) => {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
};

describe("readCappedForm", () => {
  it("parses a form of up to the cap from its stream, and gives null for one that is not a form", async () => {
    const content = new Uint8Array(50_000).map((_, i) => i % 251);
    const { type, bytes } = await twineForm(content);
    const form = await readCappedForm(streamOf(bytes), new Headers(), type, bytes.byteLength);
    expect(form?.get("name")).toBe("acme-tools");
    const file = form?.get("content") as File;
    expect([file.name, new Uint8Array(await file.arrayBuffer())]).toEqual(["acme_tools-9.9.9-py3-none-any.whl", content]);
    expect(await readCappedForm(streamOf(new TextEncoder().encode("not multipart at all")), new Headers(), type, 1000)).toBeNull();
  });

  it("refuses one byte over the cap with 413, by declared length before reading and as it streams", async () => {
    const { type, bytes } = await twineForm(new Uint8Array(50_000));
    let pulled = 0;
    const counting = new ReadableStream<Uint8Array>({ pull: (c) => void ((pulled += 1), c.enqueue(new Uint8Array(1))) });
    await expect(readCappedForm(counting, new Headers({ "content-length": String(bytes.byteLength) }), type, bytes.byteLength - 1)).rejects.toMatchObject({ status: 413, code: "BODY_TOO_LARGE" });
    expect(pulled).toBe(0);
    await expect(readCappedForm(streamOf(bytes), new Headers(), type, bytes.byteLength - 1)).rejects.toMatchObject({ status: 413, code: "BODY_TOO_LARGE" });
  });
});

describe("POST /engines/pypi/legacy/ (twine upload)", () => {
  it("answers 413 to an upload past pypi.upload.maxBytes, stops reading an endless one at the cap, and writes nothing", async () => {
    const limit = 256 * 1024;
    const w = await makeWorld({ pypi: { upload: { maxBytes: limit } } });
    const url = "http://localhost:8080/v1/accounts/acme/engines/pypi/legacy/";
    const { type, bytes } = await twineForm(new Uint8Array(limit));
    const declared = await w.handler(new Request(url, { method: "POST", headers: { authorization: CALLERS.admin, "content-type": type }, body: bytes as BodyInit }));
    expect([declared.status, await declared.text()]).toEqual([413, `413 The request body is too large (the limit is ${limit} bytes)\n`]);
    let pulled = 0;
    const head = bytes.slice(0, 1024);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(pulled === 0 ? head : new Uint8Array(64 * 1024).fill(0x61));
        pulled += pulled === 0 ? head.byteLength : 64 * 1024;
      },
    });
    const streamed = await w.handler(new Request(url, { method: "POST", headers: { authorization: CALLERS.admin, "content-type": type }, body: endless, duplex: "half" } as RequestInit));
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(limit + 3 * 64 * 1024);
    const releases = (await (await w.call("GET", "/releases?version=9.9.9", "admin")).json()) as { data: unknown[] };
    expect(releases.data).toEqual([]);
  });
});
