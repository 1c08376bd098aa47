/**
 * Issue 19 item 4 over HTTP, on the run's store: whether a release is tagged `latest` is decided
 * within the caller's scope, so a hidden DRAFT tagged `latest` neither turns a visible release's
 * 303 into a 404 nor tells anyone that it exists.
 */
import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/http/fetch.js";
import { conformanceDataset, IDS, TOKENS } from "../../src/testing/fixture.js";
import { makeStore } from "../helpers/store.js";

describe("raw `latest` with a hidden DRAFT tagged latest", () => {
  it("anonymous and licensed callers get the newest visible stable release; an admin gets the tag", async () => {
    const handler = createFetchHandler({ store: await makeStore(await conformanceDataset()), now: () => new Date("2026-03-01T12:00:00Z") });
    const path = "/v1/accounts/acme/engines/raw/app/@acme-sdk/latest/acme_sdk-0.1.0-py3-none-any.whl";
    for (const headers of [{}, { authorization: "License PRO-KEY" }] as Array<Record<string, string>>) {
      const res = await handler(new Request(`http://localhost${path}`, { headers }));
      expect(res.status, JSON.stringify(headers)).toBe(303);
      expect(res.headers.get("location")).toBe(`http://localhost/v1/accounts/${IDS.account}/artifacts/${IDS.artOpen}/acme_sdk-0.1.0-py3-none-any.whl`);
    }
    // The admin sees the tag, and the tagged DRAFT has no such file: 404, as Keygen answers.
    const admin = await handler(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${TOKENS.admin}` } }));
    expect(admin.status).toBe(404);
  });
});
