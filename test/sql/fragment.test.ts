import { describe, expect, it } from "vitest";
import type { Grant, Scope } from "../../src/access/scope.js";
import { POSTGRES_DIALECT, SQLITE_DIALECT } from "../../src/sql/dialects.js";
import { any, join, list, raw, sql, statement, type Fragment } from "../../src/sql/fragment.js";
import { iso } from "../../src/sql/rows.js";
import { artifactVisible, engineVisible, packageVisible, releaseVisible } from "../../src/sql/visibility.js";

const byShape = (fragments: readonly Fragment[]) => {
  const texts = new Map<string, string>();
  for (const f of fragments) {
    const seen = texts.get(f.shape);
    if (seen !== undefined) expect(f.text, `shape ${f.shape}`).toBe(seen);
    texts.set(f.shape, f.text);
  }
  return texts;
};

/** Every pair of fragments with equal shapes has equal texts (a shape names one text). */
const expectShapesNameTexts = (fragments: readonly Fragment[]) => void byShape(fragments);

describe("sql fragments", () => {
  it("inline fragments, turn values into parameters in order, and build the text only from the pieces", () => {
    const inner = sql`b = ${2} AND c IN ${list(["x", "y"])}`;
    const f = sql`SELECT ${raw("a")} FROM t WHERE a = ${1} AND ${inner} OR ${join([sql`d = ${3}`, raw("TRUE")], " OR ")}`;
    expect(f.text).toBe("SELECT a FROM t WHERE a = ? AND b = ? AND c IN (?, ?) OR d = ? OR TRUE");
    expect(f.params).toEqual([1, 2, "x", "y", 3]);
    expect(any([]).text).toBe("FALSE");
    expect(statement("SELECT ?::int", [5]).text).toBe("SELECT ?::int");
  });

  it("give equal shapes exactly to equal texts, whatever the values", () => {
    const q = (v: unknown, n: number, flag: boolean) =>
      sql`SELECT 1 WHERE a = ${v} AND ${flag ? raw("x IS NULL") : sql`x = ${v}`} AND b IN ${list(Array.from({ length: n }, (_, i) => i))}`;
    const rows = (n: number) => join(Array.from({ length: n }, (_, i) => sql`(${i}, ${String(i)})`), ", ");
    const fragments = [
      q(1, 1, true), q("other", 1, true), q(null, 1, true), q(1, 2, true), q(1, 2, false), q(2, 2, false),
      // A value that is a fragment's text never changes the shape; a raw text that looks like a value does.
      q("x IS NULL", 1, false), sql`SELECT 1 WHERE a = ${raw("?")}`, sql`SELECT 1 WHERE a = ${"?"}`,
      sql`INSERT INTO t VALUES ${rows(1)}`, sql`INSERT INTO t VALUES ${rows(3)}`, sql`INSERT INTO t VALUES ${rows(3)}`,
      sql`INSERT INTO t VALUES ${join([sql`(${1})`, raw("(2)")], ", ")}`, sql`INSERT INTO t VALUES ${join([raw("(2)"), sql`(${1})`], ", ")}`,
      join([raw("a"), raw("b")], ","), join([raw("a,b")], ","), join([raw("a"), raw("b")], ", "),
      statement("SELECT ?", [1]), statement("SELECT ?", [2]), raw("SELECT ?"),
    ];
    expectShapesNameTexts(fragments);
    expect(q(1, 2, false).shape).toBe(q("z", 2, false).shape);
    expect(q(1, 2, false).shape).not.toBe(q(1, 3, false).shape);
    // The key stays short beside the text of a bulk statement.
    expect(sql`INSERT INTO t VALUES ${rows(500)}`.shape.length).toBeLessThan(100);
  });

  it("visibility conditions: one shape per scope shape, never one shape for two texts", () => {
    const grant = (productId: string, entitlements: string[], cutoff: string | null, window?: Grant["window"]): Grant =>
      window === undefined ? { productId, entitlements, cutoff } : { productId, entitlements, cutoff, window };
    const scopes: Scope[] = [];
    for (const all of [false, true])
      for (const ownOnly of [undefined, true])
        for (const yankedAsPublished of [undefined, true])
          for (const products of [[], ["p1"], ["p1", "p2"]])
            for (const licensedProducts of [[], ["p3"], ["p3", "p4"]])
              for (const grants of [
                [], [grant("g1", [], null)], [grant("g2", ["A"], "2026-01-01T00:00:00Z")], [grant("g3", ["A", "B"], "2026-01-01T00:00:00.000Z", "either")],
                [grant("g1", [], null), grant("g2", ["B"], null, "effective")],
              ]) scopes.push({ all, products, grants, licensedProducts, ...(ownOnly ? { ownOnly } : {}), ...(yankedAsPublished ? { yankedAsPublished } : {}) });
    for (const d of [SQLITE_DIALECT, POSTGRES_DIALECT]) {
      const fragments = scopes.flatMap((s) => [releaseVisible(d, s), artifactVisible(d, s), packageVisible(s), engineVisible(s), releaseVisible(d, s, "x", "y")]);
      expectShapesNameTexts(fragments);
      // Other ids, codes and instants of the same counts: the same statement.
      const renamed = (s: Scope): Scope => ({
        ...s, products: s.products.map((p) => `${p}-other`), licensedProducts: s.licensedProducts.map((p) => `${p}-other`),
        grants: s.grants.map((g) => ({ ...g, productId: `${g.productId}-other`, entitlements: g.entitlements.map((e) => `${e}2`), cutoff: g.cutoff && "2027-05-06T07:08:09.000Z" })),
      });
      for (const s of scopes) {
        expect(releaseVisible(d, renamed(s)).shape).toBe(releaseVisible(d, s).shape);
        const before = artifactVisible(d, s).params;
        if (before.length > 0) expect(artifactVisible(d, renamed(s)).params).not.toEqual(before);
      }
    }
  });

  it("reads the written ISO form without a Date and normalises everything else", () => {
    expect(iso("2026-03-04T05:06:07.089Z")).toBe("2026-03-04T05:06:07.089Z");
    expect(iso("2026-02-30T00:00:00.000Z")).toBe("2026-03-02T00:00:00.000Z");
    expect(iso("2026-03-04T05:06:07Z")).toBe("2026-03-04T05:06:07.000Z");
    expect(iso("2026-03-04 05:06:07+01:00")).toBe("2026-03-04T04:06:07.000Z");
    expect(iso(new Date(Date.UTC(2026, 0, 31)))).toBe("2026-01-31T00:00:00.000Z");
    expect(iso("not a date")).toBe("not a date");
  });
});
