import { beforeAll, describe, expect, it } from "vitest";
import { queryCredential, readCredential } from "../../src/auth/credentials.js";
import { b64, firstError, KEY, loadWorld, TOK, type World } from "./world.js";

const read = (authorization: string | null, query = "") => readCredential({ authorization, query: new URLSearchParams(query) });

describe("readCredential (Keygen §6.1 precedence)", () => {
  it.each([
    ["Bearer tok-1", "", { kind: "token", token: "tok-1", scheme: "bearer" }],
    ["bearer tok-1", "", { kind: "token", token: "tok-1", scheme: "bearer" }],
    ["Token tok-1", "", { kind: "token", token: "tok-1", scheme: "token" }],
    ['Token token="tok-1", expires=1', "", { kind: "token", token: "tok-1", scheme: "token" }],
    [`Basic ${b64("license:KEY-1")}`, "", { kind: "license", key: "KEY-1", scheme: "basic" }],
    [`Basic ${b64("token:tok-1")}`, "", { kind: "token", token: "tok-1", scheme: "basic" }],
    [`Basic ${b64("tok-1:")}`, "", { kind: "token", token: "tok-1", scheme: "basic" }],
    [`Basic ${b64("tok-1:ignored")}`, "", { kind: "token", token: "tok-1", scheme: "basic" }],
    ["License KEY-1", "", { kind: "license", key: "KEY-1", scheme: "license" }],
    ["LICENSE  KEY-1 ", "", { kind: "license", key: "KEY-1", scheme: "license" }],
    [null, "auth=license:KEY-1", { kind: "license", key: "KEY-1", scheme: "query" }],
    [null, "token=license:KEY-1", { kind: "license", key: "KEY-1", scheme: "query" }],
    [null, "auth=token:tok-1", { kind: "token", token: "tok-1", scheme: "query" }],
    [null, "auth=tok-1", { kind: "token", token: "tok-1", scheme: "query" }],
    [null, "token=tok-1", { kind: "token", token: "tok-1", scheme: "query" }],
    [null, "token=tok-1&auth=license:KEY-1", { kind: "token", token: "tok-1", scheme: "query" }],
    [null, "token=a&token=tok-2", { kind: "token", token: "tok-2", scheme: "query" }],
    ["Foo bar", "auth=license:KEY-1", { kind: "license", key: "KEY-1", scheme: "query" }],
    ["", "auth=tok-1", { kind: "token", token: "tok-1", scheme: "query" }],
  ])("%s with ?%s", (header, query, expected) => {
    expect(read(header, query)).toEqual(expected);
  });

  it.each([
    ["Bearer tok-1", "auth=license:KEY-1"],
    ["Token tok-1", "token=other"],
    [`Basic ${b64("license:KEY-1")}`, "auth=tok-9"],
    ["License KEY-1", "token=tok-9"],
  ])("ignores the query when the header uses a recognised scheme (%s)", (header, query) => {
    const withQuery = read(header, query);
    expect(withQuery).toEqual(read(header));
    expect(withQuery.kind).not.toBe("none");
  });

  it.each([
    [null, ""],
    ["Bearer", "auth=tok-1"],
    ["Bearer   ", ""],
    ["License", "token=tok-1"],
    [`Basic ${b64(":")}`, ""],
    [`Basic ${b64(":pass")}`, ""],
    [`Basic ${b64("license:")}`, ""],
    [`Basic ${b64("token:")}`, ""],
    ["Foo bar", ""],
    [null, "auth="],
    [null, "token=&auth=tok-1"],
    [null, "auth=license:"],
    [null, "auth=token:"],
  ])("is anonymous for %s with ?%s", (header, query) => {
    expect(read(header, query)).toEqual({ kind: "none" });
  });

  it.each(["Basic !!!notbase64", "Basic abcde", "Basic /=", "Basic a=", `Basic ${btoa("\xff\xfe:x")}`])("refuses malformed Basic credentials %s with a 400", (header) => {
    expect(() => read(header)).toThrowError(expect.objectContaining({ status: 400, code: "AUTHORIZATION_INVALID", source: { header: "Authorization" } }));
  });
});

describe("every credential form through createFetchHandler", () => {
  let w: World;
  let licensed: string;
  beforeAll(async () => {
    w = await loadWorld();
    licensed = `/artifacts/${w.artifactId("lic-1.0.0.bin")}`;
  });

  it("anonymous callers do not see a LICENSED artifact (the control)", async () => {
    expect((await w.get(licensed)).status).toBe(404);
  });

  it.each([
    ["Bearer <license token>", () => `Bearer ${TOK.licGood}`],
    ["Token <product token>", () => `Token ${TOK.productLic}`],
    ["Token token=\"<user token>\"", () => `Token token="${TOK.userAlice}"`],
    ["Basic license:<key>", () => `Basic ${b64(`license:${KEY.good}`)}`],
    ["Basic token:<token>", () => `Basic ${b64(`token:${TOK.licGood}`)}`],
    ["Basic <token>:", () => `Basic ${b64(`${TOK.admin}:`)}`],
    ["License <key>", () => `License ${KEY.good}`],
  ])("%s is accepted", async (_name, header) => {
    const res = await w.get(licensed, header());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { attributes: { filename: string } } }).data.attributes.filename).toBe("lic-1.0.0.bin");
  });

  it.each([
    ["auth=license:<key>", () => `auth=license:${encodeURIComponent(KEY.good)}`],
    ["token=license:<key>", () => `token=license:${encodeURIComponent(KEY.good)}`],
    ["auth=token:<token>", () => `auth=token:${TOK.licGood}`],
    ["auth=<token>", () => `auth=${TOK.productLic}`],
    ["token=<token>", () => `token=${TOK.userAlice}`],
  ])("?%s is accepted", async (_name, query) => {
    expect((await w.get(`${licensed}?${query()}`)).status).toBe(200);
  });

  it("ignores ?auth= when the header carries a recognised scheme, whichever is valid", async () => {
    expect((await w.get(`${licensed}?auth=license:NOPE`, `Bearer ${TOK.licGood}`)).status).toBe(200);
    const res = await w.get(`${licensed}?auth=license:${KEY.good}`, "Bearer not-a-real-token-v3");
    expect(res.status).toBe(401);
    expect((await firstError(res)).code).toBe("TOKEN_INVALID");
    // A recognised scheme without a value is anonymous, and the query is still ignored.
    expect((await w.get(`${licensed}?auth=license:${KEY.good}`, "Bearer")).status).toBe(404);
  });

  it("uses ?auth= and ?token= when the header's scheme is unknown", async () => {
    expect((await w.get(`${licensed}?auth=license:${KEY.good}`, "Digest abc")).status).toBe(200);
    expect((await w.get(`${licensed}?token=${TOK.licGood}`, "Foo bar")).status).toBe(200);
    expect((await w.get(licensed, "Foo bar")).status).toBe(404);
    const res = await w.get(`${licensed}?auth=license:NOPE`, "Foo bar");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Foo realm="keygen"');
    expect((await firstError(res)).code).toBe("LICENSE_INVALID");
  });

  it.each([
    ["Basic !!!", 400],
    ["Basic abcde", 400],
    ["Basic /=", 400],
    [`Basic ${btoa("\xff\xfe:")}`, 400],
  ])("answers a malformed header %s with %i and a clear message, never 500", async (header, status) => {
    const res = await w.get(licensed, header);
    expect(res.status).toBe(status);
    const error = await firstError(res);
    expect(error.code).toBe("AUTHORIZATION_INVALID");
    expect(error.detail).toMatch(/^Authorization header is malformed \(Basic credentials must be/);
    expect(error.source).toEqual({ header: "Authorization" });
  });

  it.each(["Bearer ", "License ", "Token", `Basic ${b64(":")}`, "Bearer ,;", 'Token token=""'])("treats the empty credential %j as anonymous", async (header) => {
    expect((await w.get(licensed, header)).status).toBe(404);
    expect((await w.get(`/artifacts/${w.artifactId("open-1.0.0.bin")}`, header)).status).toBe(200);
  });
});

describe("queryCredential (SPEC 20: the query parameter a credential came from)", () => {
  const from = (authorization: string | null, query: string) => queryCredential({ authorization, query: new URLSearchParams(query) });
  it.each([
    [null, "auth=license:KEY-1", { name: "auth", value: "license:KEY-1" }],
    [null, "token=tok-1", { name: "token", value: "tok-1" }],
    [null, "auth=a&token=tok-1", { name: "token", value: "tok-1" }],
    [null, "token=tok-1&token=tok-2", { name: "token", value: "tok-2" }],
    [null, "auth=license%3AK%2BY%20%26", { name: "auth", value: "license:K+Y &" }],
    ["Foo bar", "auth=license:KEY-1", { name: "auth", value: "license:KEY-1" }],
    ["", "auth=license:KEY-1", { name: "auth", value: "license:KEY-1" }],
  ])("header %j, query %j → %j", (header, query, expected) => {
    expect(from(header, query)).toEqual(expected);
  });
  it.each([
    ["Bearer tok-1", "auth=license:KEY-1"],
    ["License KEY-1", "token=tok-2"],
    ["Bearer ", "auth=license:KEY-1"],
    [null, ""],
    [null, "auth=%20"],
    [null, "token=&auth=license:KEY-1"],
  ])("header %j, query %j → null (no query credential was used)", (header, query) => {
    expect(from(header, query)).toBeNull();
  });
});
