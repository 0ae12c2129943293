import { threadBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';
import { describeReliability } from './support/reliability-suite.js';
import { describeStorageUse } from './support/storage-suite.js';

const backend = threadBackend(2);
describeBackendBehaviour(backend);
describeReliability(backend);
describeStorageUse(backend);
