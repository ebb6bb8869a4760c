import { BACKENDS } from '../store-suite/backends.js';
import { describeVisibilityProperty } from './property-suite.js';

// The PostgreSQL half of visibility-property.test.ts, in its own file so both backends run in parallel.
describeVisibilityProperty(BACKENDS.filter((b) => b.name === 'postgres'));
