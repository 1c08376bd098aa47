import { describe, expect, it } from "vitest";
import { readAllBytes } from "../../src/core/bytes.js";

function streamOf(chunks: number[][], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(Uint8Array.from(chunks[i++] as number[]));
      else controller.close();
    },
    cancel: () => onCancel?.(),
  });
}

describe("readAllBytes", () => {
  it("joins every chunk in order, and an empty stream is empty", async () => {
    expect(Array.from((await readAllBytes(streamOf([[1, 2], [], [3], [4, 5, 6]]))) as Uint8Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await readAllBytes(streamOf([])))?.byteLength).toBe(0);
  });

  it("takes exactly the limit, and answers null and cancels the stream past it", async () => {
    expect((await readAllBytes(streamOf([[1, 2], [3]]), 3))?.byteLength).toBe(3);
    let cancelled = false;
    expect(await readAllBytes(streamOf([[1, 2], [3, 4], [5]], () => (cancelled = true)), 3)).toBeNull();
    await new Promise((r) => setTimeout(r, 0));
    expect(cancelled).toBe(true);
  });
});
