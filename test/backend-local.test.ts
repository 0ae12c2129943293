import { localBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';

describeBackendBehaviour(localBackend);
