// Pretrained weights from a local model store laid out like MXNet's (~/.mxnet/models): files named
// `<model>-<first 8 hex digits of the SHA-1>.params`. The core reads through an injected store
// (src/node/model-store.ts gives the Node one), so it stays free of file-system code.
import { UsageError } from '../errors.js';

/** SHA-1 of each file of MXNet's Gluon model store (mxnet/gluon/model_zoo/model_store.py, MXNet 1.x). */
export const MODEL_SHA1: Readonly<Record<string, string>> = {
  alexnet: '44335d1f0046b328243b32a26a4fbd62d9057b45',
  densenet121: 'f27dbf2dbd5ce9a80b102d89c7483342cd33cb31',
  densenet161: 'b6c8a95717e3e761bd88d145f4d0a214aaa515dc',
  densenet169: '2603f878403c6aa5a71a124c4a3307143d6820e9',
  densenet201: '1cdbc116bc3a1b65832b18cf53e1cb8e7da017eb',
  inceptionv3: 'ed47ec45a937b656fcc94dabde85495bbef5ba1f',
  'mobilenet0.25': '9f83e440996887baf91a6aff1cccc1c903a64274',
  'mobilenet0.5': '8e9d539cc66aa5efa71c4b6af983b936ab8701c3',
  'mobilenet0.75': '529b2c7f4934e6cb851155b22c96c9ab0a7c4dc2',
  'mobilenet1.0': '6b8c5106c730e8750bcd82ceb75220a3351157cd',
  'mobilenetv2_1.0': '36da4ff1867abccd32b29592d79fc753bca5a215',
  'mobilenetv2_0.75': 'e2be7b72a79fe4a750d1dd415afedf01c3ea818d',
  'mobilenetv2_0.5': 'aabd26cd335379fcb72ae6c8fac45a70eab11785',
  'mobilenetv2_0.25': 'ae8f9392789b04822cbb1d98c27283fc5f8aa0a7',
  resnet18_v1: 'a0666292f0a30ff61f857b0b66efc0228eb6a54b',
  resnet34_v1: '48216ba99a8b1005d75c0f3a0c422301a0473233',
  resnet50_v1: '0aee57f96768c0a2d5b23a6ec91eb08dfb0a45ce',
  resnet101_v1: 'd988c13d6159779e907140a638c56f229634cb02',
  resnet152_v1: '671c637a14387ab9e2654eafd0d493d86b1c8579',
  resnet18_v2: 'a81db45fd7b7a2d12ab97cd88ef0a5ac48b8f657',
  resnet34_v2: '9d6b80bbc35169de6b6edecffdd6047c56fdd322',
  resnet50_v2: 'ecdde35339c1aadbec4f547857078e734a76fb49',
  resnet101_v2: '18e93e4f48947e002547f50eabbcc9c83e516aa6',
  resnet152_v2: 'f2695542de38cf7e71ed58f02893d82bb409415e',
  'squeezenet1.0': '264ba4970a0cc87a4f15c96e25246a1307caf523',
  'squeezenet1.1': '33ba0f93753c83d86e1eb397f38a667eaf2e9376',
  vgg11: 'dd221b160977f36a53f464cb54648d227c707a05',
  vgg11_bn: 'ee79a8098a91fbe05b7a973fed2017a6117723a8',
  vgg13: '6bc5de58a05a5e2e7f493e2d75a580d83efde38c',
  vgg13_bn: '7d97a06c3c7a1aecc88b6e7385c2b373a249e95e',
  vgg16: 'e660d4569ccb679ec68f1fd3cce07a387252a90a',
  vgg16_bn: '7f01cf050d357127a73826045c245041b0df7363',
  vgg19: 'ad2f660d101905472b83590b59708b71ea22b2e5',
  vgg19_bn: 'f360b758e856f1074a85abd5fd873ed1d98297c3',
};

/** The model store's file name of a model's weights, e.g. 'resnet18_v2-a81db45f.params'. */
export function modelFileName(storeName: string): string {
  const sha1 = MODEL_SHA1[storeName];
  if (!sha1) throw new UsageError(`no pretrained weights are published for '${storeName}'`, { hint: `models with weights: ${Object.keys(MODEL_SHA1).join(', ')}` });
  return `${storeName}-${sha1.slice(0, 8)}.params`;
}

/** Where weights come from: a store resolves a file name under its root, or a path/URL the user gave. */
export interface ModelStore {
  /** The bytes at `location` (a file name in the store, a path, or a URL), or undefined if absent. */
  read(location: string): Uint8Array | undefined;
  /** Where `fileName` would be looked for (for the error message when it is absent). */
  describe(fileName: string): string;
}

let defaultStore: ModelStore | undefined;

/** Sets the store `pretrained: true` uses when no `store` is passed (the Node entry installs its file store). */
export function setDefaultModelStore(store: ModelStore | undefined): void {
  defaultStore = store;
}

export interface PretrainedOptions {
  /** true: the model store's file; a string: a path or URL of a .params file; Uint8Array: its bytes. */
  pretrained?: boolean | string | Uint8Array;
  /** The store to read from (default: the one set with setDefaultModelStore). */
  store?: ModelStore;
}

/** The .params bytes a `pretrained` option asks for, with an error saying which file to put where. */
export function pretrainedBytes(storeName: string, o: PretrainedOptions): Uint8Array {
  const p = o.pretrained;
  if (p instanceof Uint8Array) return p;
  const store = o.store ?? defaultStore;
  const fileName = typeof p === 'string' ? p : modelFileName(storeName);
  if (!store) {
    throw new UsageError(`no model store to read '${fileName}' from`, {
      hint: "pass the weights' bytes as `pretrained`, or a `store` (in Node: createNodeModelStore() from 'nnrt/node')",
    });
  }
  const bytes = store.read(fileName);
  if (!bytes) {
    throw new UsageError(`pretrained weights for '${storeName}' not found: ${store.describe(fileName)}`, {
      hint: typeof p === 'string' ? 'check the path' : `put MXNet's ${fileName} (from the Gluon model zoo) there, or set NNRT_HOME`,
    });
  }
  return bytes;
}
