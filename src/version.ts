/** nnrt's version; part of plan-file headers and cache keys. Keep in step with package.json (a test checks). */
export const VERSION = '0.1.0';
