// Run with --allow-natives-syntax --expose-gc (see tick-shape.test.ts): prints what V8 says of the tick entries' shape.
import { executionAsyncResource } from "node:async_hooks";
import { keepTickShape, keptTickEntry } from "../../src/node/tick-shape.js";

/** A fresh `process.nextTick` entry (the resource its callback runs in). */
const freshEntry = () => new Promise<object>((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
// `%HaveSameMap` is V8's own shape comparison; written through Function so tsx's parser never sees the `%`.
const haveSameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;
const gc = (globalThis as { gc?: () => void }).gc!;

keepTickShape();
keepTickShape();
await freshEntry();
const kept = keptTickEntry();
if (kept === null) throw new Error("no entry kept");
for (let i = 0; i < 4; i++) gc();
const after = await freshEntry();
const symbols = Object.getOwnPropertySymbols(kept).map((s) => s.description);
console.log(JSON.stringify({ symbols, keys: Object.keys(kept), sameShapeAfterCollections: haveSameMap(kept, after), keptIsFresh: kept === after }));
