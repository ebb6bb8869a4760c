import { BACKENDS } from '../store-suite/backends.js';
import { describeVisibilityProperty } from './property-suite.js';

// Random worlds against the plain rules (plain-rules.ts). PostgreSQL runs from its own file,
// visibility-property-postgres.test.ts, so the two backends run in parallel (--test-concurrency=2).
describeVisibilityProperty(BACKENDS.filter((b) => b.name !== 'postgres'));
