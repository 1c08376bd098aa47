/**
 * Migrations a database has already applied never change: the SQL text of every released SQLite and
 * PostgreSQL migration hashes (SHA-256) to what it did when it shipped. A migration that is code (it
 * reads rows before it writes) is listed as null: its SQL lives in that code, not in a text. A new
 * migration is appended, and its hash added here once it ships.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Migration } from "../../src/sql/migrate.js";
import { POSTGRES_MIGRATIONS } from "../../src/sql/schema-postgres.js";
import { SQLITE_MIGRATIONS } from "../../src/sql/schema-sqlite.js";

const hashes = (migrations: readonly Migration[]) => migrations.map((m) => (typeof m === "string" ? createHash("sha256").update(m).digest("hex") : null));

const SQLITE = [
  "d4ad6c4c8440fd22b870fbf7ac43bf30909e52ca2c6b6ed0bac85aa8118b2b95", // v1
  null, // v2
  null, // v3
  "1d3fd1ecfcfbc266d8261c34db1859a4c670a24b8201e7cd1fcca4adc6012c85", // v4
  "1e40338d933a8c62c23b0430a7dc263c2251f1744dfb1bfe77951a5e6040f78a", // v5
  "beb8d493f35f889945e4430f755103a628a3471622c8b2dacf50e7784202a3ec", // v6
  "68dc8fc2d16c1ea32d0ba027167f8ca807955c9033383e819a53d6cb3d57ee70", // v7
];

const POSTGRES = [
  "1f32c69c7182d2187b95342fdb45111efc8f87f4c69568ad8abb2db14fa040fc", // v1
  null, // v2
  "574d094c3a3bfd221a1ce09782aeb0476af3cf87fe86af4410d7a10fb2529eb7", // v3
  null, // v4
  "1d3fd1ecfcfbc266d8261c34db1859a4c670a24b8201e7cd1fcca4adc6012c85", // v5
  "e0c6e40949c7445a1beefa9e86e9178adc1d279c5a47c9ecec7d9783e79679c0", // v6
  "1c347ba9f757bf56a2d62f749a000ee1c7be32268deb87b51a515450f4d9e5b8", // v7
  "2078827c3c09978315e5a44507ab3d6637451b99247a42bce47fc4b57a150e2a", // v8
  "1e9227c03c64ee45b8f17a1324f292caa670730ab6651c64a53249cf90d3a481", // v9
];

describe("released migrations", () => {
  it("emit byte-identical SQL on SQLite", () => {
    expect(hashes(SQLITE_MIGRATIONS).slice(0, SQLITE.length)).toEqual(SQLITE);
  });
  it("emit byte-identical SQL on PostgreSQL", () => {
    expect(hashes(POSTGRES_MIGRATIONS).slice(0, POSTGRES.length)).toEqual(POSTGRES);
  });
});
