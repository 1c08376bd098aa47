import { describe, expect, it } from "vitest";
import { NotFoundError, SdkError, StoreError, notFound } from "../../src/core/errors.js";

const traceLimit = () => (Error as unknown as { stackTraceLimit: number }).stackTraceLimit;

describe("SdkError's stack trace", () => {
  it("is left out of a 4xx answer and kept for a 5xx fault, and the runtime's limit is left as it was", () => {
    const before = traceLimit();
    const answer = notFound("release artifact", "x");
    expect(answer).toBeInstanceOf(NotFoundError);
    expect(answer.stack).toBe("NotFoundError: The requested release artifact 'x' was not found");
    expect(new SdkError(400, "bad").stack).not.toMatch(/\n\s+at /);
    const fault = new StoreError("the database went away");
    expect(fault.status).toBeGreaterThanOrEqual(500);
    expect(fault.stack).toMatch(/\n\s+at .*errors\.test\.ts/);
    expect(traceLimit()).toBe(before);
    expect(new Error("plain").stack).toMatch(/\n\s+at /);
  });
});
