// The Node model store: .params files under $NNRT_HOME/models (default ~/.nnrt/models), named as in
// MXNet's model store; absolute or relative paths and file:// URLs are read as given.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { setDefaultModelStore, type ModelStore } from '../zoo/model-store.js';

/** The store's folder: `root`, else $NNRT_HOME/models, else ~/.nnrt/models. */
export function modelStoreRoot(root?: string): string {
  return root ?? join(process.env.NNRT_HOME ?? join(homedir(), '.nnrt'), 'models');
}

export function createNodeModelStore(opts: { root?: string } = {}): ModelStore {
  const root = modelStoreRoot(opts.root);
  const locate = (location: string): string => {
    if (/^https?:\/\//.test(location)) {
      throw new UsageError(`nnrt does not download weights (${location})`, { hint: `download the file and pass its path, or put it in ${root}` });
    }
    if (location.startsWith('file://')) return fileURLToPath(location);
    // a bare file name is looked up in the store; anything with a folder is a path
    return isAbsolute(location) || location.includes('/') ? resolve(location) : join(root, location);
  };
  return {
    read: (location) => {
      const path = locate(location);
      return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
    },
    describe: (fileName) => `looked for ${locate(fileName)}`,
  };
}

/** Makes the Node store the default of `pretrained: true` (call once at startup). */
export function installNodeModelStore(opts: { root?: string } = {}): ModelStore {
  const store = createNodeModelStore(opts);
  setDefaultModelStore(store);
  return store;
}
