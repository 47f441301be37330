// Shape and data-movement ops, reductions, Softmax family, Resize, ArgMax, TopK.
export {};
