/** The cell parsers live in src/core/cells.ts (pure); re-exported here for the io layer. */
export * from '../core/cells.js';
