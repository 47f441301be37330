// In Node a session's default memory budget is half the machine's memory (src/executor/memory-budget.ts).
import { totalmem } from 'node:os';
import { setDefaultMemoryBudget } from '../executor/memory-budget.js';

setDefaultMemoryBudget(Math.floor(totalmem() / 2));
