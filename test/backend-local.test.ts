import { localBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';
import { describeReliability } from './support/reliability-suite.js';
import { describeRunReporting } from './support/run-reporting-suite.js';
import { describeStorageUse } from './support/storage-suite.js';

describeBackendBehaviour(localBackend);
describeReliability(localBackend);
describeRunReporting(localBackend);
describeStorageUse(localBackend);
