// Runs in the "react-18" test group (web-test-runner.config.mjs), whose page
// maps React 19's modules to React 18's with an import map.
import { reactSuite } from '../support/react-suite.js';

reactSuite('18');
