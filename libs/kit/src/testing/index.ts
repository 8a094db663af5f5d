// Test helpers moved to @ficus/testkit; this path re-exports them for existing imports.
export * from '@ficus/testkit';
