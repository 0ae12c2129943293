/**
 * Comlink for Node worker threads. Comlink ships its ES module build and the Node adapter as
 * `.mjs` files without an export map, so we import them by path, here and nowhere else.
 */
export { expose, releaseProxy, transfer, wrap } from 'comlink/dist/esm/comlink.mjs';
export { default as nodeEndpoint } from 'comlink/dist/esm/node-adapter.mjs';
