// Import converters for the elementwise op family (older opsets → IR form).
import { registerImportConverter, attrToInput } from '../converter.js';
void registerImportConverter; void attrToInput;
