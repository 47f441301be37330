// Images in: the 8-bit image type, torchvision-style transforms, the ImageNet preprocessing and
// class names, and top-k scoring. Decoding files is Node-only (`readImage` in 'nnrt/node').
export { createImage, toRGB, type Image, type ImageChannels } from './image.js';
export { resize, resizeTo, resizedSize, type ResizeOptions } from './resize.js';
export { centerCrop, centerCropOffset, toTensor, normalize, compose, batch, IMAGENET_MEAN, IMAGENET_STD, type Transform } from './transforms.js';
export { imagenetPreprocess, defaultResize, type ImagenetPreprocessOptions } from './imagenet.js';
export { IMAGENET_CLASSES } from './imagenet-labels.js';
export { softmax, isProbabilityRow, topK, classProbabilities, type ClassScore, type ScoreSource } from './classify.js';
