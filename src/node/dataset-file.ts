/**
 * @module node/dataset-file — read a dataset file from disk, with its artifact files.
 */
import { readFile, realpath } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { DatasetError } from "../core/errors.js";
import { loadDataset, type Dataset } from "../dataset/load.js";

/** A loaded dataset and the folder its relative `file` paths (blob keys) resolve against. */
export interface LoadedDatasetFile {
  dataset: Dataset;
  root: string;
}

/**
 * Read, validate and load a dataset file; artifact files are read relative to its folder.
 * @throws {DatasetError} listing every problem; unreadable or non-JSON files are one problem.
 */
export async function loadDatasetFile(path: string): Promise<LoadedDatasetFile> {
  let text: string;
  try {
    // One read and one decode: `readFile(path, "utf8")` decodes a large file chunk by chunk into
    // a rope that JSON.parse must then flatten.
    text = (await readFile(path)).toString("utf8");
  } catch (error) {
    throw new DatasetError([{ path: "(file)", message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError([{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
  // The text can go before the records are built (it may be hundreds of megabytes).
  text = "";
  const root = await realpath(dirname(resolve(path)));
  const dataset = await loadDataset(json, {
    readFile: async (rel) => {
      try {
        const full = await realpath(resolve(root, rel));
        if (!full.startsWith(root + sep)) return null;
        return new Uint8Array(await readFile(full));
      } catch {
        return null;
      }
    },
  });
  return { dataset, root };
}
