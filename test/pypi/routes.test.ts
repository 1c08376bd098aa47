/**
 * PyPI routing, negotiation and access: Keygen behaviours 22–27 and 29–30 with SPEC §3 items 1, 2, 8, 9.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AUTH, DEMO_TOKENS, IDS, makeHandler, PIP_ACCEPT, simple } from "./fixture.js";

type Handler = (r: Request) => Promise<Response>;
let h: Handler;
beforeAll(async () => {
  h = await makeHandler();
});

const names = async (res: Response) => [...(await res.text()).matchAll(/>([^<>]+)<\/a>/g)].map((m) => m[1]);

describe("names and slashes (29–30, SPEC 1)", () => {
  it("301s a non-normalised name to the normalised, slashed URL and keeps the query", async () => {
    for (const raw of ["Acme_Tools/", "acme.tools/", "ACME--tools", "Acme_Tools"]) {
      const res = await simple(h, "acme", `${raw}?x=1&y=2`);
      expect(res.status).toBe(301);
      expect(res.headers.get("location")).toBe("http://localhost/v1/accounts/acme/engines/pypi/simple/acme-tools/?x=1&y=2");
    }
  });

  it("301s a missing trailing slash on the list and on a project page", async () => {
    const list = await h(new Request("http://localhost/v1/accounts/acme/engines/pypi/simple"));
    expect(list.status).toBe(301);
    expect(list.headers.get("location")).toBe("http://localhost/v1/accounts/acme/engines/pypi/simple/");
    const page = await simple(h, "acme", "acme-sdk");
    expect(page.headers.get("location")).toBe("http://localhost/v1/accounts/acme/engines/pypi/simple/acme-sdk/");
  });

  it("stores pypi keys normalised, so a key given as `Acme_Tools` or `Demo.Pkg` is found by pip's name (SPEC 1 vs Keygen 30)", async () => {
    expect((await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin })).status).toBe(200);
    expect((await simple(h, "demo", "demo-pkg/")).status).toBe(200);
  });

  it("finds a project by package UUID (23)", async () => {
    const res = await simple(h, "acme", `${IDS.pkgOpenPypi}/`);
    expect(res.status).toBe(200);
    expect(await names(res)).toContain("acme_sdk-0.1.0-py3-none-any.whl");
  });
});

describe("unknown projects (22, SPEC 8)", () => {
  it("307s to pypi.org by default, also for a package of another engine", async () => {
    for (const name of ["qux", "acme-app"]) {
      const res = await simple(h, "acme", `${name}/`);
      expect(res.status).toBe(307);
      expect(res.headers.get("location")).toBe(`https://pypi.org/simple/${name}/`);
    }
  });

  it("uses a configured upstream, or answers 404 in plain text when there is none", async () => {
    const other = await makeHandler({ pypi: { upstream: "https://mirror.example/simple" } });
    expect((await simple(other, "acme", "qux/")).headers.get("location")).toBe("https://mirror.example/simple/qux/");
    const none = await makeHandler({ pypi: { upstream: null } });
    const res = await simple(none, "acme", "qux/");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toBe("Not Found");
  });

  it("never redirects a project that exists but is not allowed (Keygen §2.3)", async () => {
    expect((await simple(h, "acme", "internal-tools/")).status).toBe(401);
  });
});

describe("access (24–26, SPEC 9)", () => {
  it("answers anonymous callers 401 with a Basic challenge on LICENSED and CLOSED, 200 on OPEN (24)", async () => {
    for (const [account, name] of [["acme", "acme-tools"], ["acme", "internal-tools"], ["demo", "secret-pkg"]] as const) {
      const res = await simple(h, account, `${name}/`);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(`Basic realm="${account}"`);
      expect(await res.text()).toBe("Unauthorized");
    }
    expect((await simple(h, "acme", "acme-sdk/")).status).toBe(200);
  });

  it("challenges with Basic when the credentials themselves are bad", async () => {
    const res = await simple(h, "acme", "acme-sdk/", { authorization: AUTH.basicLicense("NO-SUCH-KEY") });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="acme"');
    const byId = await h(new Request(`http://localhost/v1/accounts/${IDS.account}/engines/pypi/simple/`, { headers: { authorization: "Bearer nope-v3" } }));
    expect(byId.headers.get("www-authenticate")).toBe('Basic realm="acme"');
  });

  it("lets a license of the product in, and answers 403 to other products' and CLOSED products' licenses (25)", async () => {
    expect((await simple(h, "acme", "acme-tools/", { authorization: AUTH.basicLicense("PRO-KEY") })).status).toBe(200);
    const closedOwn = await simple(h, "demo", "secret-pkg/", { authorization: AUTH.basicLicense("CLOSED-KEY") });
    expect(closedOwn.status).toBe(403);
    expect(await closedOwn.text()).toBe("Forbidden");
    expect((await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("CLOSED-KEY") })).status).toBe(403);
    expect((await simple(h, "demo", "demo-pkg/", { authorization: AUTH.basicLicense("CLOSED-KEY") })).status).toBe(200);
  });

  it("hides DRAFT releases and WAITING files from licenses and shows them to admins (26)", async () => {
    const lic = await names(await simple(h, "acme", "acme-tools/", { authorization: AUTH.basicLicense("PRO-KEY") }));
    expect(lic).not.toContain("acme_tools-3.0.0-py3-none-any.whl");
    expect(lic).not.toContain("acme_tools-1.0.0.tar.gz");
    expect(lic).toContain("acme_tools-2.0.0-py3-none-any.whl");
    const admin = await names(await simple(h, "acme", "acme-tools/", { authorization: AUTH.admin }));
    expect(admin).toContain("acme_tools-3.0.0-py3-none-any.whl");
    expect(admin).toContain("acme_tools-1.0.0.tar.gz");
  });

  it("drops files a license lacks the entitlement for", async () => {
    const basic = await names(await simple(h, "acme", "acme-tools/", { authorization: AUTH.licenseToken }));
    expect(basic).not.toContain("acme_tools-2.0.0-py3-none-any.whl");
    expect(basic).toContain("acme_tools-1.1.0-py3-none-any.whl");
  });

  it("refuses a suspended license: 403 by key, 403 with the reason by token", async () => {
    const byKey = await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("SUSPENDED-KEY") });
    expect(byKey.status).toBe(403);
    const byToken = await simple(h, "demo", "lic-pkg/", { authorization: `Bearer ${DEMO_TOKENS.suspended}` });
    expect(byToken.status).toBe(403);
    expect((await simple(h, "demo", "lic-pkg/", { authorization: AUTH.basicLicense("LIC-KEY") })).status).toBe(200);
  });

  it("reads `license:` and `token:` Basic credentials as pip sends them from the index URL", async () => {
    const token = `Basic ${btoa(`token:${DEMO_TOKENS.admin}`)}`;
    expect(await names(await simple(h, "demo", "secret-pkg/", { authorization: token }))).toEqual(["secret_pkg-1.0.0-py3-none-any.whl"]);
  });
});

describe("content negotiation (27, SPEC 2)", () => {
  const typeFor = async (accept: string | undefined, handler: Handler = h) => {
    const res = await simple(handler, "acme", "acme-sdk/", accept === undefined ? {} : { accept });
    return [res.status, res.headers.get("content-type"), res.headers.get("vary")] as const;
  };
  const VARY = "Accept, Authorization, Accept-Encoding";

  it("serves JSON to pip, HTML to browsers and by default, v1+html when preferred", async () => {
    expect(await typeFor(PIP_ACCEPT)).toEqual([200, "application/vnd.pypi.simple.v1+json", VARY]);
    expect(await typeFor("text/html")).toEqual([200, "text/html; charset=utf-8", VARY]);
    expect(await typeFor(undefined)).toEqual([200, "text/html; charset=utf-8", VARY]);
    expect(await typeFor("*/*")).toEqual([200, "text/html; charset=utf-8", VARY]);
    expect(await typeFor("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")).toEqual([200, "text/html; charset=utf-8", VARY]);
    expect(await typeFor("application/vnd.pypi.simple.v1+html")).toEqual([200, "application/vnd.pypi.simple.v1+html; charset=utf-8", VARY]);
    expect(await typeFor("text/html;q=0.5, application/*;q=0.9")).toEqual([200, "application/vnd.pypi.simple.v1+html; charset=utf-8", VARY]);
  });

  it("answers `latest+json` with the concrete v1 JSON type", async () => {
    expect(await typeFor("application/vnd.pypi.simple.latest+json")).toEqual([200, "application/vnd.pypi.simple.v1+json", VARY]);
  });

  it("answers 406 when nothing acceptable is offered (Keygen answers 400 MIME_TYPE_INVALID)", async () => {
    for (const accept of ["application/json", "application/vnd.pypi.simple.v2+json", "text/html;q=0, application/vnd.pypi.simple.v1+json;q=0"]) {
      const [status] = await typeFor(accept);
      expect(status).toBe(406);
    }
    expect((await simple(h, "acme", "", { accept: "application/json" })).status).toBe(406);
  });

  it("serves HTML only when configured: pip's Accept still works, JSON-only Accept is 406", async () => {
    const htmlOnly = await makeHandler({ pypi: { htmlOnly: true } });
    // pip ranks v1+html (q=0.1) above text/html (q=0.01); both are HTML pip reads.
    expect(await typeFor(PIP_ACCEPT, htmlOnly)).toEqual([200, "application/vnd.pypi.simple.v1+html; charset=utf-8", VARY]);
    expect(await typeFor("text/html", htmlOnly)).toEqual([200, "text/html; charset=utf-8", VARY]);
    expect((await typeFor("application/vnd.pypi.simple.v1+json", htmlOnly))[0]).toBe(406);
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await simple(h, "acme", "acme-sdk/", { accept: PIP_ACCEPT }, "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.pypi.simple.v1+json");
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await res.text()).toBe("");
  });
});
