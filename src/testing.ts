/**
 * @module release-engines/testing — the store conformance suite and its dataset, for any store.
 */
export { runStoreConformance, type StoreConformanceOptions } from "./testing/conformance.js";
export { IDS, TOKENS, UUID_SHAPED_KEY, conformanceDataset, conformanceDatasetFile } from "./testing/fixture.js";
export { testContext, testDataset, TEST_ACCOUNT_SLUG, type TestAccount, type TestCaller, type TestDatasetOptions } from "./testing/dataset.js";
export { STORE_METHODS, WRITE_METHODS, type MethodFilter, type StoreMethod } from "./testing/suite.js";
export { runWriteConformance, type WriteConformanceOptions } from "./testing/write-conformance.js";
