import { defineElement } from '../define-element.js';
import { WsChatPanel } from './ws-chat-panel.js';

defineElement('ws-chat-panel', WsChatPanel);

export { WsChatPanel };
