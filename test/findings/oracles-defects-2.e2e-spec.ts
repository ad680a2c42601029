import { DEFECT_GROUPS, describeDefectsOf } from './oracle-suite.js';

// the catalog defects of notes, habits, journal, found by the oracle engine (a file of its own so the groups run side by side)
describeDefectsOf(DEFECT_GROUPS[1]);
