import { reactSuite } from '../support/react-suite.js';

reactSuite('19');
