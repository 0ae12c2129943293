import { threadBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';

describeBackendBehaviour(threadBackend(2));
