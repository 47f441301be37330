// Control flow, sequences, optionals and strings: the IR form is valid ONNX from the opset that
// introduced each op (nnrt exports opset 11 and later; Scan's IR form is the opset 9+ one).
import { registerBase } from '../converter.js';

registerBase(1, 'If', 'Loop');
registerBase(9, 'Scan');
registerBase(10, 'StringNormalizer');
registerBase(11, 'SequenceConstruct', 'SequenceEmpty', 'SequenceAt', 'SequenceInsert', 'SequenceErase', 'SequenceLength', 'SplitToSequence', 'ConcatFromSequence');
registerBase(15, 'Optional', 'OptionalHasElement', 'OptionalGetElement');
registerBase(17, 'SequenceMap');
registerBase(20, 'StringConcat', 'StringSplit', 'RegexFullMatch');
