import { ensureContextRoot } from '../../context/message-center-context.js';
import { defineElement } from '../define-element.js';
import { MessageCenterProvider } from './message-center-provider.js';

if (typeof document !== 'undefined') ensureContextRoot();
defineElement('message-center-provider', MessageCenterProvider);

export { MessageCenterProvider };
