import { Foundation1763700000000 } from './1763700000000-foundation.js';
import { Personas1763700001000 } from './1763700001000-personas.js';

/** Every migration, in order, listed explicitly. Append new ones at the end. */
export const MIGRATIONS = [Foundation1763700000000, Personas1763700001000];
