import { localBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';
import { describeReliability } from './support/reliability-suite.js';

describeBackendBehaviour(localBackend);
describeReliability(localBackend);
