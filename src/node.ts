/**
 * @module release-engines/node — Node-only pieces: dataset files on disk, file-system blobs, node:http serving.
 */
export { loadDatasetFile, type LoadedDatasetFile } from "./node/dataset-file.js";
export { createFileBlobStorage, type FileBlobStorageOptions } from "./node/file-blobs.js";
export { createFileUploadSink } from "./node/file-uploads.js";
export { serveFetchHandler, toNodeListener, toResultListener, toWebRequest, sendResult, sendWebResponse } from "./node/http.js";
