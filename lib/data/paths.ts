import path from 'node:path';

/** The project's root (compiled files run from dist/lib/data). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
